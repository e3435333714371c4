// Administrators: users (create with groups, disable/enable, reset password). Membership of
// existing users is edited on each group's page.
import { useState, type FormEvent } from 'react';
import { api, ApiError, errorText } from '../api.js';
import type { Group, User } from '../types.js';
import { useLoad } from '../use-load.js';
import { Field, FormError } from '../components/field.js';

export interface NewUser { username: string; password: string; groups: string[] }

export function UsersPage() {
  const users = useLoad(() => api<User[]>('GET', '/users'), []);
  const groups = useLoad(() => api<Group[]>('GET', '/groups'), []);
  const [createError, setCreateError] = useState<ApiError | string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const act = async (what: string, run: () => Promise<unknown>) => {
    setNotice(null);
    try {
      await run();
      setNotice(what);
    } catch (err) {
      setNotice(`${what} failed: ${errorText(err)}`);
    }
    users.reload();
  };
  const create = async (u: NewUser): Promise<boolean> => {
    setCreateError(null);
    try {
      await api('POST', '/users', u);
      users.reload();
      setNotice(`Created user ${u.username}`);
      return true;
    } catch (err) {
      setCreateError(err instanceof ApiError ? err : String(err));
      return false;
    }
  };
  return (
    <UsersView users={users.data} groups={groups.data ?? []} error={users.error} notice={notice} createError={createError} onCreate={create}
      onSetDisabled={(u, disabled) => act(`${disabled ? 'Disabled' : 'Enabled'} ${u.username}`, () => api('PATCH', `/users/${u.user_id}`, { disabled }))}
      onResetPassword={(u, password) => act(`New password set for ${u.username}`, () => api('PATCH', `/users/${u.user_id}`, { password }))} />
  );
}

export function UsersView(p: {
  users: User[] | undefined; groups: Group[]; error: string | null; notice: string | null; createError: ApiError | string | null;
  onCreate(u: NewUser): Promise<boolean>; onSetDisabled(u: User, disabled: boolean): void; onResetPassword(u: User, password: string): void;
}) {
  const empty: NewUser = { username: '', password: '', groups: [] };
  const [form, setForm] = useState<NewUser>(empty);
  const [resetting, setResetting] = useState<{ id: string; password: string } | null>(null);
  const apiError = p.createError instanceof ApiError ? p.createError : null;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (await p.onCreate(form)) setForm(empty);
  };
  const toggle = (id: string) => setForm({ ...form, groups: form.groups.includes(id) ? form.groups.filter((g) => g !== id) : [...form.groups, id] });
  return (
    <section>
      <h1>Users</h1>
      {p.error && <p className="error" role="alert">{p.error}</p>}
      {p.notice && <p className="notice" role="status">{p.notice}</p>}
      {!p.users ? <p className="loading">Loading…</p> : (
        <table className="users-table">
          <thead><tr><th>Username</th><th>Status</th><th>Created</th><th /></tr></thead>
          <tbody>{p.users.map((u) => (
            <tr key={u.user_id} className={u.disabled ? 'disabled' : undefined}>
              <td>{u.username}</td><td>{u.disabled ? 'disabled' : 'active'}</td><td>{new Date(u.created_at).toLocaleString()}</td>
              <td className="row">
                <button type="button" className="secondary" onClick={() => p.onSetDisabled(u, !u.disabled)}>{u.disabled ? 'Enable' : 'Disable'}</button>
                {resetting?.id === u.user_id ? (<>
                  <input type="password" aria-label={`new password for ${u.username}`} placeholder="new password (8+)" value={resetting.password} onChange={(e) => setResetting({ id: u.user_id, password: e.target.value })} />
                  <button type="button" onClick={() => { p.onResetPassword(u, resetting.password); setResetting(null); }}>Set</button>
                  <button type="button" className="link" onClick={() => setResetting(null)}>cancel</button>
                </>) : <button type="button" className="secondary" onClick={() => setResetting({ id: u.user_id, password: '' })}>Reset password</button>}
              </td>
            </tr>
          ))}</tbody>
        </table>
      )}
      <form className="card inline-form" onSubmit={submit}>
        <h2>New user</h2>
        <FormError error={p.createError} fields={['username', 'password', 'groups']} />
        <Field label="Username" name="username" error={apiError}><input id="f-username" value={form.username} onChange={(e) => setForm({ ...form, username: e.target.value })} required /></Field>
        <Field label="Password" name="password" error={apiError}><input id="f-password" type="password" value={form.password} onChange={(e) => setForm({ ...form, password: e.target.value })} required /></Field>
        <Field label="Groups" name="groups" error={apiError}>
          <div className="checks">{p.groups.filter((g) => g.name !== 'All Users').map((g) => (
            <label key={g.group_id} className="check"><input type="checkbox" checked={form.groups.includes(g.group_id)} onChange={() => toggle(g.group_id)} />{g.name}</label>
          ))}</div>
        </Field>
        <button type="submit">Create user</button>
      </form>
    </section>
  );
}
