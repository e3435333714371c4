// One session: live progress while it launches (or stops), then its mounts, warnings and
// error; destroy.
import { useEffect, useRef, useState } from 'react';
import { api, errorText } from '../api.js';
import type { Session, SessionEvent } from '../types.js';
import { useLoad } from '../use-load.js';
import { followSession } from '../session-events.js';
import { progressLine, repeatedPullFilter } from '../../../src/sessions/progress-line.js';
import { FINAL_STATES } from '../../../src/sessions/vocabulary.js';
import { MountsTable } from '../components/mounts-table.js';
import { SessionTools } from '../components/session-tools.js';

export function SessionPage({ id }: { id: string }) {
  const session = useLoad(() => api<Session>('GET', `/sessions/${encodeURIComponent(id)}`), [id]);
  const [events, setEvents] = useState<SessionEvent[]>([]);
  const [following, setFollowing] = useState<'launched' | 'end' | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const state = session.data?.state;
  // each phase is followed once: the JSON still shows the old state until its reload lands
  const followed = useRef(new Set<string>());
  const follow = (phase: 'launched' | 'end') => {
    followed.current.add(phase);
    setFollowing(phase);
  };
  // follow the stream while the session is launching or stopping; reload the JSON at its end
  useEffect(() => {
    // any state: the stream replays the launch's history (kept 10 minutes) and ends at once
    const phase = state === 'stopping' ? 'end' : state ? 'launched' : null;
    if (phase && following === null && !followed.current.has(phase)) follow(phase);
  }, [state, following]);
  useEffect(() => {
    if (!following) return;
    return followSession(id, following, (e) => setEvents((list) => (list.some((x) => x.seq === e.seq) ? list : [...list, e])), () => {
      setFollowing(null);
      session.reload();
    });
  }, [id, following]);
  const destroy = async () => {
    setActionError(null);
    try {
      await api('DELETE', `/sessions/${encodeURIComponent(id)}`);
      follow('end');
    } catch (err) {
      setActionError(errorText(err));
    }
    session.reload();
  };
  return <SessionView session={session.data} error={session.error ?? actionError} events={events} live={following !== null} onDestroy={destroy} />;
}

export function SessionView(p: { session: Session | undefined; error: string | null; events: SessionEvent[]; live: boolean; onDestroy(): void }) {
  const s = p.session;
  if (!s) return p.error ? <p className="error" role="alert">{p.error}</p> : <p className="loading">Loading…</p>;
  const t0 = p.events[0] ? Date.parse(p.events[0].at) : 0;
  const canDestroy = s.state !== 'stopping' && !FINAL_STATES.includes(s.state);
  // the CLI's lines, with the same repeated image-pull lines left out
  const show = repeatedPullFilter();
  const lines = p.events.map((e) => ({ e, line: progressLine(e.type, e.data) })).filter(({ e, line }) => show(e.type, line));
  return (
    <section className="session">
      <div className="title-row">
        <h1>{s.image.name} <span className={`state state-${s.state}`} data-state={s.state}>{s.state}</span></h1>
        {canDestroy && <button type="button" className="danger" onClick={p.onDestroy}>Destroy</button>}
      </div>
      <p className="muted small">Session {s.id} for {s.user.username} · started {new Date(s.created_at).toLocaleString()}{s.container_id ? ` · container ${s.container_id.slice(0, 12)}` : ''}{s.node ? ` · node ${s.node.hostname}${s.node.zone ? ` (${s.node.zone})` : ''}` : ''}</p>
      {s.placement && <p className="muted small" data-testid="placement">Placement: {s.placement.reason}</p>}
      {p.error && <p className="error" role="alert">{p.error}</p>}
      {s.error && <div className="error" role="alert"><strong>{s.state === 'lost' ? 'Node unreachable' : 'Launch failed'} [{s.error.class}]</strong> {s.error.mapping}: {s.error.message}</div>}
      {s.state === 'running' && <SessionTools sessionId={s.id} webPort={s.image.web_port} />}
      {s.drift && <p className="warn">The effective mounts for this user and image have changed since launch; destroy and launch again to pick them up.</p>}
      {(p.live || p.events.length > 0) && (
        <div className="card progress">
          <h2>Progress {p.live && <span className="spinner" aria-label="live" />}</h2>
          <ol className="events">{lines.map(({ e, line }) => (
            <li key={e.seq} data-type={e.type} className={e.type === 'mapping.failed' || e.type === 'warning' ? 'warn' : undefined}>
              <span className="at">+{((Date.parse(e.at) - t0) / 1000).toFixed(1)}s</span> {line}
            </li>
          ))}</ol>
        </div>
      )}
      {s.warnings.length > 0 && (
        <div className="card warnings"><h2>Warnings</h2>
          <ul>{s.warnings.map((w, i) => <li key={i} className="warn"><strong>{w.mapping}</strong> [{w.class}] {w.message}</li>)}</ul>
        </div>
      )}
      {s.mounts && (<div className="card"><h2>Mounts</h2><MountsTable view={s.mounts} /></div>)}
    </section>
  );
}
