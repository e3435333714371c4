// The one HTTP client of the web UI. Every failure becomes an ApiError with the server's
// error shape ({ message, detail?, validations? }); state-changing requests carry the CSRF
// header the server asks of cookie-authenticated changes.
import type { FieldValidation } from '../../src/api/wire/index.js';

/** one problem of a refused request: its field, what is wrong, and where as data (wire/error.ts) */
export type FieldProblem = FieldValidation;

export class ApiError extends Error {
  constructor(readonly status: number, message: string, readonly detail?: string, readonly validations: FieldProblem[] = []) {
    super(message);
  }
  /** the server's problems for one form field (`volume_mappings."/x".uid` belongs to `volume_mappings`) */
  forField(field: string): FieldProblem[] {
    return this.validations.filter((v) => v.field === field || v.field.startsWith(`${field}.`) || v.field.startsWith(`${field}[`));
  }
}

/** Fired when the server says the sign-in is gone (401): the app shows the sign-in page. */
export const UNAUTHORIZED_EVENT = 'tether:unauthorized';

export const API = '/api/v1';

export async function api<T>(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (method !== 'GET') headers['x-tether-csrf'] = '1';
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(`${API}${path}`, { method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (err) {
    throw new ApiError(0, `cannot reach the Tether server (${err instanceof Error ? err.message : String(err)})`);
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let json: unknown = undefined;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON (a proxy's error page): reported below with the status
  }
  if (!res.ok) {
    const e = (json ?? {}) as { message?: string; detail?: string; validations?: FieldProblem[] };
    if (res.status === 401 && path !== '/login') window.dispatchEvent(new Event(UNAUTHORIZED_EVENT));
    throw new ApiError(res.status, e.message ?? `HTTP ${res.status} ${res.statusText}`, e.detail, e.validations ?? []);
  }
  return json as T;
}

export const errorText = (err: unknown): string =>
  err instanceof ApiError ? [err.message, err.detail].filter(Boolean).join(': ') : err instanceof Error ? err.message : String(err);
