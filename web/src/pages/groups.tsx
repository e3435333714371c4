// Administrators: groups by priority (lower wins when mappings collide), and a new group.
import { useState, type FormEvent } from 'react';
import { api, ApiError } from '../api.js';
import { Link, navigate } from '../router.js';
import type { Group } from '../types.js';
import { useLoad } from '../use-load.js';
import { Field, FormError } from '../components/field.js';

export function GroupsPage() {
  const { data, error } = useLoad(() => api<Group[]>('GET', '/groups'), []);
  const [createError, setCreateError] = useState<ApiError | string | null>(null);
  const create = async (name: string, priority: number) => {
    setCreateError(null);
    try {
      const g = await api<Group>('POST', '/groups', { name, priority });
      navigate(`/admin/groups/${g.group_id}`);
    } catch (err) {
      setCreateError(err instanceof ApiError ? err : String(err));
    }
  };
  return <GroupsView groups={data} error={error} createError={createError} onCreate={create} />;
}

export function GroupsView(p: { groups: Group[] | undefined; error: string | null; createError: ApiError | string | null; onCreate(name: string, priority: number): void }) {
  const [name, setName] = useState('');
  const [priority, setPriority] = useState('10');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    p.onCreate(name, Number(priority));
  };
  const apiError = p.createError instanceof ApiError ? p.createError : null;
  return (
    <section>
      <h1>Groups</h1>
      {p.error && <p className="error" role="alert">{p.error}</p>}
      {!p.groups ? <p className="loading">Loading…</p> : (
        <table>
          <thead><tr><th>Priority</th><th>Name</th><th>Volume mappings</th><th>Max sessions</th><th>Persistent profile</th></tr></thead>
          <tbody>{p.groups.map((g) => (
            <tr key={g.group_id}>
              <td>{g.priority}</td>
              <td><Link to={`/admin/groups/${g.group_id}`}>{g.name}</Link>{g.system && <span className="badge">system</span>}</td>
              <td>{Object.keys(g.settings.volume_mappings).map((k) => <div key={k}><code>{k}</code></div>)}</td>
              <td>{g.settings.max_sessions_per_user}</td>
              <td>{g.settings.allow_persistent_profile ? 'allowed' : 'no'}</td>
            </tr>
          ))}</tbody>
        </table>
      )}
      <form className="card inline-form" onSubmit={submit}>
        <h2>New group</h2>
        <FormError error={p.createError} fields={['name', 'priority']} />
        <Field label="Name" name="name" error={apiError}><input id="f-name" value={name} onChange={(e) => setName(e.target.value)} required /></Field>
        <Field label="Priority (lower wins)" name="priority" error={apiError}><input id="f-priority" type="number" value={priority} onChange={(e) => setPriority(e.target.value)} required /></Field>
        <button type="submit">Create group</button>
      </form>
    </section>
  );
}
