// Administrators: API keys of the Kasm-compatible API (/api/public). Create one (its secret is
// in the creation answer only, so it is shown once, here, and never again), list them, revoke.
// The server decides who may: the page is reachable by URL for anyone, and a non-administrator
// sees the API's refusal instead of a form.
import { useState, type FormEvent } from 'react';
import { api, ApiError, errorText } from '../api.js';
import type { ApiKey, CreatedApiKey } from '../types.js';
import { useLoad } from '../use-load.js';
import { Field, FormError } from '../components/field.js';

/** The server's permission names (src/store/types.ts API_KEY_PERMISSIONS, not importable here: not a pure module). */
export const API_KEY_PERMISSIONS = ['sessions', 'users', 'groups', 'images'] as const;

export interface NewApiKey { name: string; permissions: string[]; read_only: boolean; expires_days: string }

const DAY_S = 24 * 3600;

/** The request body: days become the API's seconds; an empty expiry is omitted (never expires). */
export function apiKeyBody(k: NewApiKey): { name: string; permissions: string[]; read_only: boolean; expires_in?: number } {
  const days = k.expires_days.trim();
  const body = { name: k.name, permissions: k.permissions, read_only: k.read_only };
  // a number the server refuses (0, negative) still goes to it: its message names the field
  return days === '' ? body : { ...body, expires_in: Number.isFinite(Number(days)) ? Math.round(Number(days) * DAY_S) : NaN };
}

export function ApiKeysPage() {
  const keys = useLoad(() => api<ApiKey[]>('GET', '/api-keys'), []);
  const [createError, setCreateError] = useState<ApiError | string | null>(null);
  const [created, setCreated] = useState<CreatedApiKey | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const create = async (k: NewApiKey): Promise<boolean> => {
    setCreateError(null);
    setNotice(null);
    const body = apiKeyBody(k);
    if (Number.isNaN(body.expires_in)) {
      setCreateError(new ApiError(400, 'invalid body', undefined, [{ field: 'expires_in', detail: 'must be a number of days' }]));
      return false;
    }
    try {
      setCreated(await api<CreatedApiKey>('POST', '/api-keys', body));
      keys.reload();
      return true;
    } catch (err) {
      setCreateError(err instanceof ApiError ? err : String(err));
      return false;
    }
  };
  const revoke = async (k: ApiKey) => {
    setNotice(null);
    try {
      await api('DELETE', `/api-keys/${k.api_key_id}`);
      setNotice(`Revoked ${k.name}`);
    } catch (err) {
      setNotice(`Revoking ${k.name} failed: ${errorText(err)}`);
    }
    keys.reload();
  };
  return (
    <ApiKeysView keys={keys.data} error={keys.error} notice={notice} createError={createError} created={created}
      origin={location.origin} onCreate={create} onDismissSecret={() => setCreated(null)} onRevoke={revoke} />
  );
}

const when = (iso: string | null, none: string) => (iso ? new Date(iso).toLocaleString() : none);

export function ApiKeysView(p: {
  keys: ApiKey[] | undefined; error: string | null; notice: string | null; createError: ApiError | string | null; created: CreatedApiKey | null;
  origin: string; onCreate(k: NewApiKey): Promise<boolean>; onDismissSecret(): void; onRevoke(k: ApiKey): void;
}) {
  const empty: NewApiKey = { name: '', permissions: [], read_only: false, expires_days: '' };
  const [form, setForm] = useState<NewApiKey>(empty);
  const apiError = p.createError instanceof ApiError ? p.createError : null;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (await p.onCreate(form)) setForm(empty);
  };
  const toggle = (perm: string) => setForm({ ...form, permissions: form.permissions.includes(perm) ? form.permissions.filter((x) => x !== perm) : [...form.permissions, perm] });
  const revoke = (k: ApiKey) => {
    if (window.confirm(`Revoke the API key "${k.name}"? Integrations using it are refused at once. This cannot be undone.`)) p.onRevoke(k);
  };
  return (
    <section>
      <h1>API keys</h1>
      <p className="muted">Keys for the Kasm-compatible API (<code>POST /api/public/&lt;endpoint&gt;</code>). A key is not a login: it reaches <code>/api/public</code> only, within its permissions.</p>
      {p.error && <p className="error" role="alert">{p.error}</p>}
      {p.notice && <p className="notice" role="status">{p.notice}</p>}
      {p.created && <SecretOnce created={p.created} origin={p.origin} onDismiss={p.onDismissSecret} />}
      {p.keys && (p.keys.length === 0 ? <p className="muted">No API keys.</p> : (
        <table className="api-keys-table">
          <thead><tr><th>Name</th><th>Key id</th><th>Permissions</th><th>Read-only</th><th>Created</th><th>Expires</th><th>Revoked</th><th /></tr></thead>
          <tbody>{p.keys.map((k) => (
            <tr key={k.api_key_id} className={k.revoked_at ? 'revoked' : undefined} data-name={k.name}>
              <td>{k.name}</td><td><code>{k.api_key}</code></td><td>{k.permissions.join(', ')}</td><td>{k.read_only ? 'read-only' : 'read and write'}</td>
              <td>{when(k.created_at, '')}</td><td>{when(k.expires_at, 'never')}</td><td className="revoked-at">{when(k.revoked_at, '—')}</td>
              <td>{!k.revoked_at && <button type="button" className="danger" onClick={() => revoke(k)}>Revoke</button>}</td>
            </tr>
          ))}</tbody>
        </table>
      ))}
      {!p.keys && !p.error && <p className="loading">Loading…</p>}
      {p.keys && (
        <form className="card inline-form" onSubmit={submit}>
          <h2>New API key</h2>
          <FormError error={p.createError} fields={['name', 'permissions', 'read_only', 'expires_in']} />
          <Field label="Name (letters, digits, . _ -; the audit log names the key apikey:<name>)" name="name" error={apiError}>
            <input id="f-name" value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />
          </Field>
          <Field label="Permissions" name="permissions" error={apiError}>
            <div className="checks">{API_KEY_PERMISSIONS.map((perm) => (
              <label key={perm} className="check"><input type="checkbox" name={`permission-${perm}`} checked={form.permissions.includes(perm)} onChange={() => toggle(perm)} />{perm}</label>
            ))}</div>
          </Field>
          <Field label="Read-only (only the get_* endpoints)" name="read_only" error={apiError}>
            <input id="f-read_only" type="checkbox" checked={form.read_only} onChange={(e) => setForm({ ...form, read_only: e.target.checked })} />
          </Field>
          <Field label="Expires in (days; empty: never)" name="expires_in" error={apiError}>
            <input id="f-expires_in" inputMode="decimal" value={form.expires_days} onChange={(e) => setForm({ ...form, expires_days: e.target.value })} />
          </Field>
          <button type="submit">Create API key</button>
        </form>
      )}
    </section>
  );
}

/** The secret of a key just created, with how to use it: the server never sends it again. */
function SecretOnce({ created, origin, onDismiss }: { created: CreatedApiKey; origin: string; onDismiss(): void }) {
  const [copied, setCopied] = useState<string | null>(null);
  const copy = () => navigator.clipboard.writeText(created.api_key_secret).then(() => setCopied('Copied.'), () => setCopied('Copying failed: select the secret and copy it.'));
  const body = JSON.stringify({ api_key: created.api_key, api_key_secret: created.api_key_secret });
  return (
    <div className="card secret-card" role="region" aria-label="new API key secret">
      <h2>API key {created.name} created</h2>
      <p className="warn"><strong>Copy the secret now: it is not shown again.</strong> Tether keeps only its digest; a lost secret means a new key.</p>
      <dl>
        <dt>api_key</dt><dd><code className="new-key">{created.api_key}</code></dd>
        <dt>api_key_secret</dt><dd><code className="new-secret">{created.api_key_secret}</code></dd>
      </dl>
      <p className="small">Use it either way Kasm clients do: HTTP Basic <code>api_key:api_key_secret</code>, or both fields in the JSON body.</p>
      <pre>{`curl -u '${created.api_key}:${created.api_key_secret}' -H 'content-type: application/json' -d '{}' ${origin}/api/public/get_images\n`
        + `curl -H 'content-type: application/json' -d '${body}' ${origin}/api/public/get_images`}</pre>
      <div className="actions">
        <button type="button" className="secondary" onClick={copy}>Copy secret</button>
        <button type="button" onClick={onDismiss}>I have copied it</button>
        {copied && <span className="small" role="status">{copied}</span>}
      </div>
    </div>
  );
}
