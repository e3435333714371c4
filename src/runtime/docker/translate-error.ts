// Engine errors (dockerode carries the HTTP status in statusCode) become the runtime's own
// error types, so callers never depend on the transport.
import { AbortedError, BindSourceMissingError, EngineConflictError, ImageNotFoundError, NotFoundError, RuntimeError } from '../errors.js';

export interface EngineErrorShape {
  statusCode?: number;
  name?: string;
  code?: string;
  json?: { message?: string } | null;
  reason?: string;
  message?: string;
}

/** How the engine (and a Swarm task) words a missing bind source; it never creates one. */
export const BIND_SOURCE_MISSING = /bind source path does not exist/i;

/** The engine's own words for a failed request. */
export function engineMessage(err: EngineErrorShape): string {
  // dockerode's message carries the engine's text when json is empty ("(HTTP code 500) server error - ...")
  return err.json?.message ?? err.message ?? err.reason ?? String(err);
}

export function isAbortError(err: unknown): boolean {
  const e = err as EngineErrorShape | null;
  return !!e && (e.name === 'AbortError' || e.code === 'ABORT_ERR');
}

/** what: e.g. `create container tether-abc`; the engine's own words are appended. */
export function translateEngineError(err: unknown, what: string, kind: 'container' | 'image' = 'container'): RuntimeError {
  if (err instanceof RuntimeError) return err;
  const e = (err ?? {}) as EngineErrorShape;
  if (isAbortError(err)) return new AbortedError(`docker: ${what}: aborted before the engine answered`, { cause: err });
  const detail = engineMessage(e);
  switch (e.statusCode) {
    case 404:
      return kind === 'image'
        ? new ImageNotFoundError(`docker: ${what}: image not found on the engine or registry (${detail})`, { cause: err })
        : new NotFoundError(`docker: ${what}: no such ${kind} (${detail})`, { cause: err });
    case 409:
      return new EngineConflictError(`docker: ${what}: conflict (${detail})`, { cause: err });
    case 400:
      if (BIND_SOURCE_MISSING.test(detail)) return new BindSourceMissingError(`docker: ${what}: a bind source does not exist on the engine's host (${detail})`, { cause: err });
      return new RuntimeError('bad_request', `docker: ${what}: the engine refused the request (${detail})`, { cause: err });
    default:
      if (e.code === 'ECONNREFUSED' || e.code === 'ENOENT' || e.code === 'EACCES') {
        return new RuntimeError('unavailable', `docker: ${what}: engine unreachable (${e.code}: ${detail})`, { cause: err });
      }
      return new RuntimeError('engine', `docker: ${what}: engine error${e.statusCode ? ` ${e.statusCode}` : ''} (${detail})`, { cause: err });
  }
}

/** Throws AbortedError when the signal already fired (dockerode ignores a pre-aborted signal on some paths). */
export function throwIfAborted(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw new AbortedError(`docker: ${what}: aborted before it was sent`, { cause: signal.reason });
}
