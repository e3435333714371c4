// errno -> failure class (spec section 6, step 4). Pure.
import type { FailureClass } from './types.js';

export function classifyErrno(code: string | undefined): FailureClass {
  switch (code) {
    case 'ENOENT':
      return 'missing';
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return 'permission';
    case 'ENOTDIR':
      return 'not_directory';
    default:
      return 'io';
  }
}

/** A failure inside one step: carries its class and a message naming the step and the path. */
export class PrepareStepError extends Error {
  constructor(
    readonly failureClass: FailureClass,
    message: string,
  ) {
    super(message);
    this.name = 'PrepareStepError';
  }
}

/** Wraps a filesystem error: `step` says what was being done, e.g. `mkdir "/srv/x/alice"`. */
export function stepError(step: string, err: unknown): PrepareStepError {
  if (err instanceof PrepareStepError) return err;
  const e = err as NodeJS.ErrnoException;
  const cls = classifyErrno(e?.code);
  const expected: Record<string, string> = {
    missing: 'expected it to exist',
    permission: 'expected Tether (root on the host) to be allowed to do this',
    not_directory: 'expected a folder on the way',
    io: 'expected the storage to answer normally',
  };
  return new PrepareStepError(cls, `${step} failed: ${e?.code ?? 'error'} ${e?.message ?? String(err)} (${expected[cls] ?? ''})`);
}
