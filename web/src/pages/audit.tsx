// Administrators: the audit log, newest first, filterable (GET /audit).
import { useState } from 'react';
import { api } from '../api.js';
import type { AuditEntry } from '../types.js';
import { useLoad } from '../use-load.js';

export interface AuditFilter { action: string; target_type: string; actor: string; since: string }

export function AuditPage() {
  const [filter, setFilter] = useState<AuditFilter>({ action: '', target_type: '', actor: '', since: '' });
  const query = new URLSearchParams({ limit: '200' });
  for (const [k, v] of Object.entries(filter)) if (v) query.set(k, k === 'since' ? new Date(v).toISOString() : v);
  const qs = query.toString();
  const { data, error } = useLoad(() => api<AuditEntry[]>('GET', `/audit?${qs}`), [qs]);
  return <AuditView entries={data} error={error} filter={filter} onFilter={setFilter} />;
}

export function AuditView(p: { entries: AuditEntry[] | undefined; error: string | null; filter: AuditFilter; onFilter(f: AuditFilter): void }) {
  const [draft, setDraft] = useState(p.filter);
  const input = (k: keyof AuditFilter, label: string, type = 'text') => (
    <label>{label} <input name={k} type={type} value={draft[k]} onChange={(e) => setDraft({ ...draft, [k]: e.target.value })} /></label>
  );
  return (
    <section>
      <h1>Audit log</h1>
      <form className="row filters" onSubmit={(e) => { e.preventDefault(); p.onFilter(draft); }}>
        {input('action', 'Action')}{input('target_type', 'Target type')}{input('actor', 'Actor')}{input('since', 'Since', 'datetime-local')}
        <button type="submit">Filter</button>
      </form>
      {p.error && <p className="error" role="alert">{p.error}</p>}
      {!p.entries ? <p className="loading">Loading…</p> : p.entries.length === 0 ? <p className="muted">No entries.</p> : (
        <table className="audit-table">
          <thead><tr><th>When</th><th>Actor</th><th>Action</th><th>Target</th></tr></thead>
          <tbody>{p.entries.map((e) => (
            <tr key={e.audit_id}><td>{new Date(e.at).toLocaleString()}</td><td>{e.actor_name}</td><td><code>{e.action}</code></td><td>{e.target_type} {e.target_name ?? e.target_id ?? ''}</td></tr>
          ))}</tbody>
        </table>
      )}
    </section>
  );
}
