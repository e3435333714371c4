// Checks done in the Tether process before any storage is touched: pure, no I/O.
import { checkHostPath } from '../mappings/index.js';
import type { HostPathPolicy } from '../mappings/index.js';
import type { PrepareRequest, PrepareResult } from './types.js';

const MAX_ID = 2 ** 32 - 2; // -1 (4294967295) means "leave unchanged" to chown(2)

function badId(v: number | null): boolean {
  return v !== null && (!Number.isInteger(v) || v < 0 || v > MAX_ID);
}

/** A failure result, or null when the request may go to a worker. */
export function validateRequest(req: PrepareRequest, policy: HostPathPolicy): PrepareResult | null {
  if (badId(req.uid) || badId(req.gid)) {
    return { ok: false, class: 'io', message: `uid/gid ${req.uid}:${req.gid} for ${JSON.stringify(req.hostPath)} are not valid ids (expected integers 0..${MAX_ID} or null)` };
  }
  if (!(req.timeoutMs > 0)) {
    return { ok: false, class: 'io', message: `timeout ${req.timeoutMs} ms for ${JSON.stringify(req.hostPath)} is not positive (expected the mapping's timeout in ms)` };
  }
  // the path as written must already pass; the real path is checked again by the worker
  const verdict = checkHostPath(req.hostPath, policy);
  if (!verdict.ok) return { ok: false, class: 'policy', message: `${verdict.reason}; ${verdict.suggestion}` };
  return null;
}
