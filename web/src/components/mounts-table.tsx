// An effective-mounts view (spec section 5): what is mounted where from which source, what
// is shadowed and by whom, and ownership conflicts. Pure: used by the mounts and session pages.
import type { EffectiveMountsView } from '../types.js';
// the server's own wording (its messages name sources the same way): image "x", group "y" (priority 10)
import { describeSource } from '../../../src/mappings/index.js';
const owner = (uid: number | null, gid: number | null) => (uid === null && gid === null ? 'unchanged' : `${uid ?? '-'}:${gid ?? '-'}`);

export function MountsTable({ view }: { view: EffectiveMountsView }) {
  return (
    <div className="mounts">
      {view.mounts.length === 0 ? <p className="muted">Nothing is mounted.</p> : (
        <table className="mounts-table">
          <thead><tr><th>In the container</th><th>Host path</th><th>Mode</th><th>Owner</th><th>Required</th><th>Source</th></tr></thead>
          <tbody>
            {view.mounts.map((m) => (
              <tr key={m.bind}><td><code>{m.bind}</code></td><td><code>{m.host_path}</code></td><td>{m.mode}</td><td>{owner(m.uid, m.gid)}</td><td>{m.required ? 'yes' : 'no'}</td><td>{describeSource(m.source)}</td></tr>
            ))}
          </tbody>
        </table>
      )}
      {view.shadowed.length > 0 && (<>
        <h3>Shadowed</h3>
        <table className="shadowed-table">
          <thead><tr><th>In the container</th><th>Host path</th><th>From</th><th>Shadowed by</th></tr></thead>
          <tbody>
            {view.shadowed.map((m, i) => (
              <tr key={i}><td><code>{m.bind}</code></td><td><code>{m.host_path}</code></td><td>{describeSource(m.source)}</td><td>{describeSource(m.shadowed_by)} (same container path; it wins)</td></tr>
            ))}
          </tbody>
        </table>
      </>)}
      {view.conflicts.length > 0 && (<>
        <h3>Ownership conflicts</h3>
        <ul className="conflicts">
          {view.conflicts.map((c) => (
            <li key={c.host_path}><code>{c.host_path}</code>: {c.mounts.map((m) => `${owner(m.uid, m.gid)} from ${describeSource(m.source)}`).join(' vs ')}; applied {owner(c.applied.uid, c.applied.gid)} from {describeSource(c.applied.source)}</li>
          ))}
        </ul>
      </>)}
    </div>
  );
}
