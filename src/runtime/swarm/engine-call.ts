// One request to the swarm manager's engine API through dockerode's modem: the service, task
// and node endpoints need a query string, a body, the registry-auth header and an AbortSignal
// together, which dockerode's own wrappers do not all pass through.
import type Dockerode from 'dockerode';
import type { RegistryAuth } from '../types.js';
import { throwIfAborted, translateEngineError } from '../docker/translate-error.js';

export interface EngineCall {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  query?: Record<string, string | number>;
  body?: unknown;
  auth?: RegistryAuth;
  signal?: AbortSignal;
}

/** what: e.g. `create service tether-abc`; errors become the runtime's own (translate-error.ts). */
export function callEngine<T>(docker: Dockerode, call: EngineCall, what: string): Promise<T> {
  throwIfAborted(call.signal, what);
  const options: Record<string, unknown> = {};
  if (call.query) options._query = call.query;
  if (call.body !== undefined) options._body = call.body;
  const hasQuery = call.query !== undefined && Object.keys(call.query).length > 0;
  return new Promise<T>((resolve, reject) => {
    docker.modem.dial(
      {
        path: hasQuery ? `${call.path}?` : call.path,
        method: call.method,
        options,
        ...(call.auth ? { authconfig: { ...call.auth } } : {}),
        ...(call.signal ? { abortSignal: call.signal } : {}),
        statusCodes: { 200: true, 201: true, 204: true, 304: true, 400: 'bad request', 404: 'not found', 409: 'conflict', 500: 'server error', 503: 'not part of a swarm' },
      },
      (err: unknown, data: unknown) => (err ? reject(translateEngineError(err, what)) : resolve(data as T)),
    );
  });
}

/** Filters as the engine takes them in a query string: {"label":["tether=1"]} -> '{"label":{"tether=1":true}}' */
export function filtersQuery(filters: Record<string, string[]>): Record<string, string> {
  const f: Record<string, Record<string, boolean>> = {};
  for (const [k, values] of Object.entries(filters)) f[k] = Object.fromEntries(values.map((v) => [v, true]));
  return { filters: JSON.stringify(f) };
}
