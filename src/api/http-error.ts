// One typed HTTP error. Domain and use-case code throw their own errors; the API's single
// error handler (error-handler.ts) maps them onto this shape. 5xx messages are never leaked.

import type { ErrorBody, FieldValidation } from './wire/index.js';

/** The one error body shared by server, CLI and web UI (wire/error.ts). */
export type { ErrorBody, FieldValidation };

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: { detail?: string; validations?: FieldValidation[]; cause?: unknown; headers?: Record<string, string> } = {},
  ) {
    super(message, { cause: extra.cause });
    this.name = 'HttpError';
  }

  body(): ErrorBody {
    const b: ErrorBody = { message: this.message };
    if (this.extra.detail !== undefined) b.detail = this.extra.detail;
    if (this.extra.validations !== undefined) b.validations = this.extra.validations;
    return b;
  }
}

export const badRequest = (message: string, extra?: HttpError['extra']) => new HttpError(400, message, extra);
export const unauthorized = (message = 'authentication required') => new HttpError(401, message);
export const forbidden = (message = 'not allowed') => new HttpError(403, message);
export const notFound = (what: string) => new HttpError(404, `${what} not found`);
export const conflict = (message: string, extra?: HttpError['extra']) => new HttpError(409, message, extra);
export const tooManyRequests = (retryAfterSeconds: number, message = 'too many attempts') =>
  new HttpError(429, message, { detail: `try again in ${retryAfterSeconds} s`, headers: { 'retry-after': String(retryAfterSeconds) } });
