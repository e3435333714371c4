// Sessions: a user's own, or (administrators) everyone's, with destroy.
import { useState } from 'react';
import { api, errorText } from '../api.js';
import { Link } from '../router.js';
import type { Session } from '../types.js';
import { useLoad } from '../use-load.js';
import { FINAL_STATES } from '../../../src/sessions/vocabulary.js';

/** all: every user's (administrators); else the signed-in user's own (`?user=` matters for administrators only) */
export function SessionsPage({ all, username }: { all: boolean; username: string }) {
  const path = all ? '/sessions' : `/sessions?user=${encodeURIComponent(username)}`;
  const { data, error, reload } = useLoad(() => api<Session[]>('GET', path), [path]);
  const [actionError, setActionError] = useState<string | null>(null);
  const destroy = async (s: Session) => {
    setActionError(null);
    try {
      await api('DELETE', `/sessions/${s.id}`);
    } catch (err) {
      setActionError(errorText(err));
    }
    reload();
  };
  return <SessionsView all={all} sessions={data} error={error ?? actionError} onDestroy={destroy} />;
}

const ended = (s: Session) => FINAL_STATES.includes(s.state);

export function SessionsView(p: { all: boolean; sessions: Session[] | undefined; error: string | null; onDestroy(s: Session): void }) {
  const [showEnded, setShowEnded] = useState(false);
  const list = p.sessions?.filter((s) => showEnded || !ended(s));
  return (
    <section>
      <div className="title-row"><h1>{p.all ? 'All sessions' : 'My sessions'}</h1>
        <label className="check"><input type="checkbox" checked={showEnded} onChange={(e) => setShowEnded(e.target.checked)} />show ended</label></div>
      {p.error && <p className="error" role="alert">{p.error}</p>}
      {!list ? <p className="loading">Loading…</p> : list.length === 0 ? <p className="muted">No sessions.</p> : (
        <table className="sessions-table">
          <thead><tr><th>Session</th>{p.all && <th>User</th>}<th>Image</th><th>State</th><th>Mounts</th><th>Warnings</th><th>Started</th><th /></tr></thead>
          <tbody>{list.map((s) => (
            <tr key={s.id}>
              <td><Link to={`/sessions/${s.id}`}>{s.id.slice(0, 8)}</Link></td>
              {p.all && <td>{s.user.username}</td>}
              <td>{s.image.name}</td>
              <td><span className={`state state-${s.state}`}>{s.state}</span>{s.node && <div className="muted small">{s.node.hostname}</div>}</td>
              <td>{s.mounts?.mounts.map((m) => <div key={m.bind}><code>{m.bind}</code></div>)}</td>
              <td>{s.warnings.length > 0 ? s.warnings.map((w, i) => <div key={i} className="warn small">{w.mapping}: {w.class}</div>) : ''}</td>
              <td>{new Date(s.created_at).toLocaleString()}</td>
              <td>{!ended(s) && s.state !== 'stopping' && <button type="button" className="danger" onClick={() => p.onDestroy(s)}>Destroy</button>}</td>
            </tr>
          ))}</tbody>
        </table>
      )}
    </section>
  );
}
