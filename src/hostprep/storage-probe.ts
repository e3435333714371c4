// probeStorage for preparers whose workers run storage-steps.ts: the checks done in the Tether
// process before any storage is touched, and the worker's outcome as a StorageProbeResult.
import { checkHostPath, normalizePath, type HostPathPolicy } from '../mappings/index.js';
import { markerName } from './storage-steps.js';
import type { StorageWork } from './protocol.js';
import type { StorageProbeRequest, StorageProbeResult } from './types.js';
import type { PoolOutcome } from './worker-pool.js';

type RunWork = (work: Omit<StorageWork, 'policy'>, timeoutMs: number) => Promise<PoolOutcome>;

/** A refusal of a request that must not reach a worker, or null. */
export function invalidProbe(req: StorageProbeRequest, policy: HostPathPolicy): string | null {
  if (typeof req.path !== 'string' || !req.path.startsWith('/') || normalizePath(req.path) !== req.path) {
    return `storage check path ${JSON.stringify(req.path)} is not an absolute, normalized path (expected e.g. "/srv/share")`;
  }
  if (!(req.timeoutMs > 0)) return `storage check timeout ${req.timeoutMs} ms is not positive`;
  if (req.marker !== undefined) {
    try {
      markerName(req.marker);
    } catch (err) {
      return (err as Error).message;
    }
  }
  const verdict = checkHostPath(req.path, policy);
  return verdict.ok ? null : `${verdict.reason}; ${verdict.suggestion}`;
}

export async function probeStorageWith(run: RunWork, req: StorageProbeRequest, policy: HostPathPolicy, signal?: AbortSignal): Promise<StorageProbeResult> {
  const startedAt = Date.now();
  const ms = () => Date.now() - startedAt;
  const invalid = invalidProbe(req, policy);
  if (invalid !== null) return { ok: false, class: 'policy', message: invalid, ms: ms() };
  const what = `storage check of ${JSON.stringify(req.path)}`;
  const outcome = await run({ op: 'storage', path: req.path, marker: req.marker, write: req.write, read: req.read, remove: req.remove }, req.timeoutMs);
  if (outcome.kind === 'timeout') {
    const message = signal?.aborted ? `${what} was abandoned` : `${what} did not finish within ${req.timeoutMs} ms; the storage may be hanging`;
    return { ok: false, class: 'timeout', message, ms: ms() };
  }
  if (outcome.kind === 'crashed') return { ok: false, class: 'io', message: `${what}: ${outcome.message}`, ms: ms() };
  const r = outcome.response;
  if (!r.ok) return { ok: false, class: r.class, message: r.message, ms: ms() };
  if (!('storage' in r)) return { ok: false, class: 'io', message: `${what}: the worker answered something else`, ms: ms() };
  return { ok: true, ms: ms(), ...r.storage };
}
