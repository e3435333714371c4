// The CLI's HTTP client (fetch): JSON in, JSON out, the server's error body preserved.
// Reused by every command that talks to a Tether server.
import type { ErrorBody } from '../api/http-error.js';

/** The server answered with an error status; `body` is its { message, detail?, validations? }. */
export class ApiError extends Error {
  constructor(readonly status: number, readonly body: ErrorBody) {
    super(body.message);
    this.name = 'ApiError';
  }
}

/** The server could not be reached or did not answer in time. */
export class ConnectionError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConnectionError';
  }
}

export interface ClientOptions {
  /** e.g. http://127.0.0.1:8080 (no trailing slash needed) */
  url: string;
  token?: string;
  /** per request; default 30 s */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export type Query = Record<string, string | number | boolean | undefined>;

export interface HttpClient {
  request<T = unknown>(method: string, path: string, options?: { body?: unknown; query?: Query }): Promise<T>;
  get<T = unknown>(path: string, query?: Query): Promise<T>;
  post<T = unknown>(path: string, body?: unknown): Promise<T>;
  patch<T = unknown>(path: string, body: unknown): Promise<T>;
  delete<T = unknown>(path: string): Promise<T>;
}

/** A response body's JSON; undefined when it is empty or not JSON. */
function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * The error body of a refused request (a fetch response, or a refused WebSocket upgrade):
 * the server's JSON { message, detail?, validations? } when it sent one, else the status.
 */
export function errorBodyOf(status: number, statusText: string, text: string): ErrorBody {
  const body = parseJson(text);
  if (body && typeof body === 'object' && 'message' in body) return body as ErrorBody;
  return { message: `HTTP ${status}${statusText ? ` ${statusText}` : ''}` };
}

/** Encodes one path segment (names may hold spaces, `@`, `+`, ...). */
export const seg = (value: string): string => encodeURIComponent(value);

export function createClient(options: ClientOptions): HttpClient {
  const base = options.url.replace(/\/+$/, '');
  async function request<T>(method: string, path: string, opts: { body?: unknown; query?: Query } = {}): Promise<T> {
    const url = new URL(`${base}/api/v1${path}`);
    for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const headers: Record<string, string> = { accept: 'application/json' };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    const timeout = AbortSignal.timeout(options.timeoutMs ?? 30_000);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    let res: Response;
    try {
      res = await fetch(url, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body), signal });
    } catch (err) {
      const why = (err as Error).name === 'TimeoutError' ? 'no answer in time' : ((err as { cause?: Error }).cause?.message ?? (err as Error).message);
      throw new ConnectionError(`cannot reach the Tether server at ${base}: ${why} (set --url or TETHER_URL)`, { cause: err });
    }
    const text = await res.text();
    if (!res.ok) throw new ApiError(res.status, errorBodyOf(res.status, res.statusText, text));
    return parseJson(text) as T;
  }
  return {
    request,
    get: (path, query) => request('GET', path, { query }),
    post: (path, body) => request('POST', path, { body: body ?? {} }),
    patch: (path, body) => request('PATCH', path, { body }),
    delete: (path) => request('DELETE', path),
  };
}
