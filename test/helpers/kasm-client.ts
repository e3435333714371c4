// A Kasm Developer API client as integrations write one: POST /api/public/<endpoint> with a
// JSON body, the key either in the body (api_key, api_key_secret) or as HTTP Basic. Also
// app.inject for tests without a listening server. And the fixtures from Kasm's docs.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';

export type KasmAuth = 'body' | 'basic';
export interface KasmKey { api_key: string; api_key_secret: string }
// the tests read answers loosely and assert on their fields
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type KasmAnswer = { status: number; json: any };

function request(key: KasmKey | null, auth: KasmAuth, body: object): { headers: Record<string, string>; payload: string } {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  let payload: object = body;
  if (key && auth === 'basic') headers.authorization = `Basic ${Buffer.from(`${key.api_key}:${key.api_key_secret}`).toString('base64')}`;
  else if (key) payload = { ...key, ...body };
  return { headers, payload: JSON.stringify(payload) };
}

/** A client of the server at `url` (fetch). */
export function kasmClient(url: string, key: KasmKey | null, auth: KasmAuth = 'body') {
  return async (endpoint: string, body: object = {}): Promise<KasmAnswer> => {
    const { headers, payload } = request(key, auth, body);
    const res = await fetch(`${url}/api/public/${endpoint}`, { method: 'POST', headers, body: payload });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : null };
  };
}

/** The same through app.inject. */
export function kasmInject(app: FastifyInstance, key: KasmKey | null, auth: KasmAuth = 'body') {
  return async (endpoint: string, body: object = {}): Promise<KasmAnswer> => {
    const { headers, payload } = request(key, auth, body);
    const res = await app.inject({ method: 'POST', url: `/api/public/${endpoint}`, headers, payload });
    return { status: res.statusCode, json: res.body ? JSON.parse(res.body) : null };
  };
}

export interface KasmFixture {
  endpoint: string;
  source: string;
  request: Record<string, unknown> | null;
  response: Record<string, unknown>;
  launching_response?: Record<string, unknown>;
  tether_omits: Record<string, string>;
}

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'kasm');

export function kasmFixtures(): Map<string, KasmFixture> {
  const out = new Map<string, KasmFixture>();
  for (const f of readdirSync(FIXTURES)) if (f.endsWith('.json')) out.set(f.slice(0, -5), JSON.parse(readFileSync(join(FIXTURES, f), 'utf8')) as KasmFixture);
  return out;
}

/** Every field path of a documented answer (arrays: their first element, as `name[]`). */
export function fieldPaths(value: unknown, prefix = ''): string[] {
  if (Array.isArray(value)) return value.length > 0 ? fieldPaths(value[0], `${prefix}[]`) : [];
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([k, v]) => {
    const p = prefix === '' ? k : `${prefix}.${k}`;
    return [p, ...fieldPaths(v, p)];
  });
}

/** The documented fields (minus tether_omits) that `answer` lacks; [] when it has them all. */
export function missingFields(documented: unknown, answer: unknown, omits: Record<string, string> = {}): string[] {
  const have = new Set(fieldPaths(answer));
  return fieldPaths(documented).filter((p) => !have.has(p) && !(p in omits));
}
