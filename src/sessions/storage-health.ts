// Shared-storage health (spec section 8): for each mapped path's fixed prefix, on every node
// that runs sessions, does it exist and answer, how long that took, and do the nodes see the
// same data: a marker holding a secret of this check is written from one node and read back
// on the others (and on the writer, which then removes it). Every probe runs in the node's
// disposable host-preparation workers under the check's timeout, so hung storage shows up as
// `hung` and never holds the check (nor Tether) past it.
import { randomBytes, randomUUID } from 'node:crypto';
import type { HostPreparer, StorageProbeRequest, StorageProbeResult } from '../hostprep/index.js';
import type { Store } from '../store/types.js';
import { Semaphore } from './semaphore.js';
import { storagePaths, type StoragePath } from './storage-paths.js';
import type { StorageHealthReport, StorageNode, StorageNodeResult, StoragePathHealth, StorageVerdict } from './storage-report.js';

export type { StorageHealthReport, StorageNode, StorageNodeResult, StoragePathHealth, StorageVerdict } from './storage-report.js';

/**
 * A node to check on: its preparer; or why it cannot be checked though it should be (its agent
 * does not answer: every path is then `error` there); or why it is left out (down: it runs no sessions).
 */
export type StorageTarget =
  | { node: StorageNode; preparer: HostPreparer }
  | { node: StorageNode; unavailable: string }
  | { node: StorageNode; skipped: string };

export interface StorageHealthOptions {
  store: Store;
  /** the nodes to check on, now (the single engine; or every ready swarm node with its agent) */
  targets: (signal: AbortSignal) => Promise<StorageTarget[]>;
  now?: () => Date;
}

export const DEFAULT_STORAGE_TIMEOUT_MS = 5_000;
export const MAX_STORAGE_TIMEOUT_MS = 60_000;
/** paths checked at once: each takes up to one worker request per node */
const PATHS_AT_ONCE = 8;
/** how long listing the nodes and asking their agents may take */
const TARGETS_MS = 10_000;

export interface StorageHealthChecker {
  check(opts?: { timeoutMs?: number }): Promise<StorageHealthReport>;
}

export function createStorageHealth(opts: StorageHealthOptions): StorageHealthChecker {
  const limit = new Semaphore(PATHS_AT_ONCE);
  return {
    async check({ timeoutMs = DEFAULT_STORAGE_TIMEOUT_MS } = {}) {
      const [images, groups, targets] = await Promise.all([opts.store.images.list(), opts.store.groups.list(), opts.targets(AbortSignal.timeout(TARGETS_MS))]);
      const paths = await Promise.all(storagePaths(images, groups).map((p) => limit.run(() => checkPath(p, targets, timeoutMs))));
      return {
        checked_at: (opts.now?.() ?? new Date()).toISOString(),
        timeout_ms: timeoutMs,
        ok: paths.every((p) => p.verdict === 'shared'),
        nodes: targets.map((t) => ({ ...t.node, checked: 'preparer' in t, message: 'unavailable' in t ? t.unavailable : 'skipped' in t ? t.skipped : null })),
        paths,
      };
    },
  };
}

async function probe(preparer: HostPreparer, req: StorageProbeRequest): Promise<StorageProbeResult> {
  if (!preparer.probeStorage) return { ok: false, class: 'io', message: 'this host preparation cannot check storage (not supported by the engine-helper preparer: run Tether on the engine\'s host, or an agent on it)', ms: 0 };
  try {
    return await preparer.probeStorage(req);
  } catch (err) {
    // a preparer must not reject; one that does (an agent that broke off) is this node's error
    return { ok: false, class: 'io', message: `storage check failed: ${err instanceof Error ? err.message : String(err)}`, ms: 0 };
  }
}

interface Row {
  result: StorageNodeResult;
  preparer?: HostPreparer;
}

function fail(row: Row, r: Extract<StorageProbeResult, { ok: false }>): void {
  row.result.class = r.class;
  row.result.message = r.message;
}

export async function checkPath(p: StoragePath, targets: StorageTarget[], timeoutMs: number): Promise<StoragePathHealth> {
  const rows: Row[] = targets.filter((t) => !('skipped' in t)).map((t) => ({
    result: { node: t.node, reachable: false, exists: null, ms: null, marker: null, class: 'unavailable' in t ? 'io' : null, message: 'unavailable' in t ? t.unavailable : null },
    preparer: 'preparer' in t ? t.preparer : undefined,
  }));
  const probed = rows.filter((r): r is Required<Row> => r.preparer !== undefined);
  // 1. does it exist and answer, on every node
  await Promise.all(probed.map(async (row) => {
    const r = await probe(row.preparer, { path: p.path, timeoutMs });
    row.result.ms = r.ms;
    if (!r.ok) return fail(row, r);
    row.result.reachable = true;
    row.result.exists = r.exists;
  }));
  // 2. the same data: a marker from the first node where it exists, read back everywhere else
  const present = probed.filter((r) => r.result.exists === true);
  const writer = present[0];
  if (writer) {
    const marker = randomUUID();
    const secret = `tether storage check ${randomBytes(16).toString('hex')}\n`;
    const written = await probe(writer.preparer, { path: p.path, timeoutMs, marker, write: secret });
    if (!written.ok) fail(writer, written);
    else {
      // the others first: on shared storage the writer's removal would hide it from them
      await Promise.all(present.filter((row) => row !== writer).map(async (row) => {
        const r = await probe(row.preparer, { path: p.path, timeoutMs, marker, read: secret });
        if (!r.ok) return fail(row, r);
        row.result.marker = r.markerSeen ? 'seen' : 'not_seen';
        if (!r.markerSeen && r.markerNote) row.result.message = r.markerNote;
      }));
      const back = await probe(writer.preparer, { path: p.path, timeoutMs, marker, read: secret, remove: true });
      if (!back.ok) fail(writer, back);
      else if (back.markerSeen) writer.result.marker = 'written';
      else fail(writer, { ok: false, class: 'io', message: `the marker this node wrote is not there when read back: ${back.markerNote ?? ''}`, ms: back.ms });
    }
  }
  const results = rows.map((r) => r.result);
  return { path: p.path, used_by: p.used_by, nodes: results, ...verdictOf(results, writer?.result.node) };
}

const nameOf = (n: StorageNode): string => n.hostname;
const names = (rows: StorageNodeResult[]): string => rows.map((r) => nameOf(r.node)).join(', ');

/** Worst first: hung, missing, error, not_shared; shared only when every node saw the marker. */
export function verdictOf(rows: StorageNodeResult[], writer: StorageNode | undefined): { verdict: StorageVerdict; message: string } {
  const hung = rows.filter((r) => r.class === 'timeout');
  if (hung.length > 0) return { verdict: 'hung', message: `no answer within the timeout on ${names(hung)}: the storage may be hanging there` };
  const missing = rows.filter((r) => r.exists === false);
  if (missing.length > 0) return { verdict: 'missing', message: `does not exist on ${names(missing)}: mount the shared storage there (or create the folder)` };
  const failed = rows.filter((r) => r.class !== null);
  if (failed.length > 0) return { verdict: 'error', message: `could not be checked on ${names(failed)}: ${failed[0]!.message ?? failed[0]!.class}` };
  const unseen = rows.filter((r) => r.marker === 'not_seen');
  if (unseen.length > 0) return { verdict: 'not_shared', message: `${names(unseen)} do${unseen.length === 1 ? 'es' : ''} not see the marker written from ${writer ? nameOf(writer) : '?'}: this path is node-local there, not shared storage` };
  if (rows.length === 0) return { verdict: 'error', message: 'no node to check on' };
  return { verdict: 'shared', message: rows.length === 1 ? `reachable on ${names(rows)}, marker written and read back (one node only)` : `every node sees the marker written from ${writer ? nameOf(writer) : '?'}` };
}
