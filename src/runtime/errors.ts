// The runtime's own error types: engine status codes (404, 409, ...) never leak to callers as
// transport errors. Every message says where (engine, resource) and what was expected.

export type RuntimeErrorCode =
  | 'not_found'
  | 'conflict'
  | 'image_not_found'
  | 'pull_failed'
  | 'bad_request'
  | 'bind_source_missing'
  | 'aborted'
  | 'unavailable'
  | 'engine';

export class RuntimeError extends Error {
  constructor(
    readonly code: RuntimeErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'RuntimeError';
  }
}

/** The container (or other resource) the call named does not exist on the engine. */
export class NotFoundError extends RuntimeError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('not_found', message, options);
    this.name = 'NotFoundError';
  }
}

/** Name already in use, or the resource is in a state that forbids the call. */
export class EngineConflictError extends RuntimeError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('conflict', message, options);
    this.name = 'EngineConflictError';
  }
}

export class ImageNotFoundError extends RuntimeError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('image_not_found', message, options);
    this.name = 'ImageNotFoundError';
  }
}

/**
 * A bind mount's source does not exist where the container was to run (the engine never
 * creates one; Swarm rejects the task): the launch reports it as the mapping's `missing`.
 */
export class BindSourceMissingError extends RuntimeError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('bind_source_missing', message, options);
    this.name = 'BindSourceMissingError';
  }
}

/** The call was abandoned because its AbortSignal fired (a deadline, a cancelled launch). */
export class AbortedError extends RuntimeError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('aborted', message, options);
    this.name = 'AbortedError';
  }
}

export function isRuntimeError(err: unknown, code?: RuntimeErrorCode): err is RuntimeError {
  return err instanceof RuntimeError && (code === undefined || err.code === code);
}
