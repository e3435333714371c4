// Administrators: one group's name, priority, settings (volume mappings with the same
// editor as images) and members.
import { useEffect, useState, type FormEvent } from 'react';
import { api, ApiError, errorText } from '../api.js';
import type { Group, User } from '../types.js';
import { useLoad } from '../use-load.js';
import { Field, FormError } from '../components/field.js';
import { MappingEditor, mappingTextValid } from '../components/mapping-editor.js';

export interface GroupForm { name: string; priority: string; allow_persistent_profile: boolean; max_sessions_per_user: string; volume_mappings: string }
const FIELDS = ['name', 'priority', 'settings'];

export function GroupEditorPage({ id }: { id: string }) {
  const path = `/groups/${encodeURIComponent(id)}`;
  const group = useLoad(() => api<Group>('GET', path), [path]);
  const members = useLoad(() => api<User[]>('GET', `${path}/members`), [path]);
  const users = useLoad(() => api<User[]>('GET', '/users'), []);
  const [form, setForm] = useState<GroupForm | null>(null);
  const [error, setError] = useState<ApiError | string | null>(null);
  const [memberError, setMemberError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const [judgedText, setJudgedText] = useState<string | null>(null);
  useEffect(() => {
    const g = group.data;
    if (g) setForm({ name: g.name, priority: String(g.priority), allow_persistent_profile: g.settings.allow_persistent_profile, max_sessions_per_user: String(g.settings.max_sessions_per_user), volume_mappings: JSON.stringify(g.settings.volume_mappings, null, 2) });
  }, [group.data]);
  if (group.error) return <p className="error" role="alert">{group.error}</p>;
  if (!form || !group.data) return <p className="loading">Loading…</p>;
  const save = async () => {
    setError(null);
    setSaved(false);
    const settings = { allow_persistent_profile: form.allow_persistent_profile, max_sessions_per_user: Number(form.max_sessions_per_user), volume_mappings: form.volume_mappings.trim() || '{}' };
    const body = group.data!.system ? { priority: Number(form.priority), settings } : { name: form.name, priority: Number(form.priority), settings };
    try {
      await api('PATCH', path, body);
      setSaved(true);
    } catch (err) {
      setError(err instanceof ApiError ? err : String(err));
      setJudgedText(form.volume_mappings);
    }
  };
  const member = async (method: 'POST' | 'DELETE', user: string) => {
    setMemberError(null);
    try {
      if (method === 'POST') await api('POST', `${path}/members`, { user });
      else await api('DELETE', `${path}/members/${encodeURIComponent(user)}`);
    } catch (err) {
      setMemberError(errorText(err));
    }
    members.reload();
  };
  return (
    <GroupEditorView group={group.data} form={form} error={error} judgedText={judgedText} saved={saved} onChange={setForm} onSave={save}
      members={members.data ?? []} users={users.data ?? []} memberError={memberError}
      onAddMember={(u) => member('POST', u)} onRemoveMember={(u) => member('DELETE', u)} />
  );
}

export function GroupEditorView(p: {
  group: Group; form: GroupForm; error: ApiError | string | null; judgedText: string | null; saved: boolean; onChange(f: GroupForm): void; onSave(): void;
  members: User[]; users: User[]; memberError: string | null; onAddMember(userId: string): void; onRemoveMember(userId: string): void;
}) {
  const { form } = p;
  const set = <K extends keyof GroupForm>(k: K, v: GroupForm[K]) => p.onChange({ ...form, [k]: v });
  const apiError = p.error instanceof ApiError ? p.error : null;
  const valid = mappingTextValid(form.volume_mappings);
  const [adding, setAdding] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (valid) p.onSave();
  };
  const prefix = 'settings.volume_mappings';
  const serverMappingProblems = apiError?.forField(prefix) ?? [];
  const memberIds = new Set(p.members.map((m) => m.user_id));
  return (
    <div className="two-col">
      <form className="editor card" onSubmit={submit}>
        <h1>Group {p.group.name}</h1>
        <FormError error={p.error} fields={FIELDS} />
        <Field label="Name" name="name" error={apiError}><input id="f-name" value={form.name} disabled={p.group.system} onChange={(e) => set('name', e.target.value)} /></Field>
        <Field label="Priority (lower wins)" name="priority" error={apiError}><input id="f-priority" type="number" value={form.priority} onChange={(e) => set('priority', e.target.value)} /></Field>
        <Field label="Allow persistent profile" name="settings.allow_persistent_profile" error={apiError}><input id="f-settings.allow_persistent_profile" type="checkbox" checked={form.allow_persistent_profile} onChange={(e) => set('allow_persistent_profile', e.target.checked)} /></Field>
        <Field label="Max sessions per user" name="settings.max_sessions_per_user" error={apiError}><input id="f-settings.max_sessions_per_user" type="number" value={form.max_sessions_per_user} onChange={(e) => set('max_sessions_per_user', e.target.value)} /></Field>
        <Field label="Volume Mappings (JSON)" name="settings.volume_mappings" error={null}>
          <MappingEditor id="f-settings.volume_mappings" value={form.volume_mappings} onChange={(t) => set('volume_mappings', t)} serverProblems={serverMappingProblems} fieldPointer="/settings/volume_mappings" serverText={p.judgedText} />
        </Field>
        <div className="actions"><button type="submit" disabled={!valid}>Save</button>{p.saved && <span className="ok">Saved</span>}</div>
      </form>
      <section className="card members">
        <h2>Members</h2>
        {p.memberError && <p className="error" role="alert">{p.memberError}</p>}
        <ul>{p.members.map((m) => <li key={m.user_id}>{m.username} <button type="button" className="link" onClick={() => p.onRemoveMember(m.user_id)}>remove</button></li>)}</ul>
        <div className="row">
          <select aria-label="user to add" value={adding} onChange={(e) => setAdding(e.target.value)}>
            <option value="">Add a user…</option>
            {p.users.filter((u) => !memberIds.has(u.user_id)).map((u) => <option key={u.user_id} value={u.user_id}>{u.username}</option>)}
          </select>
          <button type="button" disabled={!adding} onClick={() => { p.onAddMember(adding); setAdding(''); }}>Add</button>
        </div>
      </section>
    </div>
  );
}
