// Administrators: shared-storage health (GET /storage/health): for every mapped path's fixed
// prefix, each node's answer (reachable, how long, whether it saw the marker another node
// wrote) and the verdict. The check runs when the page opens and on "Check again".
import { api } from '../api.js';
import { useLoad } from '../use-load.js';
import type { StorageHealthReport, StorageNodeResult, StoragePathHealth } from '../../../src/api/wire/index.js';

export function StoragePage() {
  const { data, error, reload } = useLoad(() => api<StorageHealthReport>('GET', '/storage/health'), []);
  return <StorageView report={data} error={error} onCheck={reload} />;
}

const VERDICT_TEXT: Record<StoragePathHealth['verdict'], string> = {
  shared: 'shared', not_shared: 'not shared', missing: 'missing', hung: 'hung', error: 'error',
};

function NodeCell({ r }: { r: StorageNodeResult | undefined }) {
  if (!r) return <td className="muted">-</td>;
  if (r.class === 'timeout') return <td className="bad" title={r.message ?? ''}>hung{r.ms !== null ? ` (${r.ms} ms)` : ''}</td>;
  if (r.exists === false) return <td className="bad" title={r.message ?? ''}>missing <span className="muted small">{r.ms} ms</span></td>;
  if (r.class !== null) return <td className="bad" title={r.message ?? ''}>{r.class}<div className="small muted">{r.message}</div></td>;
  const marker = r.marker === 'written' ? 'wrote the marker' : r.marker === 'seen' ? 'sees the marker' : r.marker === 'not_seen' ? 'does not see the marker' : '';
  return (
    <td className={r.marker === 'not_seen' ? 'bad' : 'ok'} title={r.message ?? ''}>
      reachable <span className="muted small">{r.ms} ms</span>
      <div className="small">{marker}</div>
    </td>
  );
}

export function StorageView(p: { report: StorageHealthReport | undefined; error: string | null; onCheck(): void }) {
  const report = p.report;
  const nodes = report?.nodes ?? [];
  const key = (n: { id: string | null; hostname: string }) => n.id ?? n.hostname;
  return (
    <section className="storage">
      <div className="title-row">
        <h1>Storage</h1>
        <button type="button" className="secondary" onClick={p.onCheck}>Check again</button>
      </div>
      <p className="muted">
        Every mapped host path&apos;s fixed prefix (the part before the first token), checked on every node: does it answer, how long
        it took, and does every node see the marker one node wrote (the same data). Anything but <em>shared</em> fails launches on some node.
      </p>
      {p.error && <p className="error" role="alert">{p.error}</p>}
      {!report ? <p className="loading">Checking…</p> : (
        <>
          <p className={report.ok ? 'ok' : 'warn'} role="status">
            {report.paths.length === 0 ? 'No mapped host paths.' : report.ok ? `Every path is shared (${report.paths.length}).` : `${report.paths.filter((x) => x.verdict !== 'shared').length} of ${report.paths.length} paths are not shared on every node.`}
            <span className="muted small"> Checked {new Date(report.checked_at).toLocaleString()}, timeout {report.timeout_ms} ms per probe.</span>
          </p>
          {report.nodes.filter((n) => !n.checked).map((n) => <p key={key(n)} className="warn small">Node {n.hostname} not checked: {n.message}</p>)}
          {report.paths.length > 0 && (
            <table className="storage-table">
              <thead><tr><th>Path</th><th>Verdict</th>{nodes.map((n) => <th key={key(n)}>{n.hostname}{n.zone ? <span className="badge">{n.zone}</span> : null}</th>)}<th>Used by</th></tr></thead>
              <tbody>{report.paths.map((path) => (
                <tr key={path.path} data-path={path.path}>
                  <td><code>{path.path}</code></td>
                  <td><span className={`state verdict-${path.verdict}`}>{VERDICT_TEXT[path.verdict]}</span><div className="small muted">{path.message}</div></td>
                  {nodes.map((n) => <NodeCell key={key(n)} r={path.nodes.find((r) => key(r.node) === key(n))} />)}
                  <td className="small">{path.used_by.map((u) => <div key={`${u.kind}:${u.name}:${u.host_path}`}>{u.kind} <strong>{u.name}</strong> <code>{u.host_path}</code></div>)}</td>
                </tr>
              ))}</tbody>
            </table>
          )}
        </>
      )}
    </section>
  );
}
