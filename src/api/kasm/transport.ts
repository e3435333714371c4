// The Kasm-compatible API's transport: `POST /api/public/<endpoint>` with a JSON body,
// authenticated by an API key given either way Kasm accepts (HTTP Basic `key:secret`, or
// `api_key` and `api_key_secret` in the body), answered with Kasm's error shape
// `{ error_message, detail }`. Every call made with a valid key is written to the audit log
// under the key's name (`apikey:<name>`), refused ones included.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { apiKeyRefusal, authenticateApiKey, type ApiKeyNeed } from '../../auth/api-keys.js';
import { ConflictError, MissingReferenceError, type ApiKeyRecord } from '../../store/types.js';
import { SessionError } from '../../sessions/index.js';
import type { AppDeps } from '../types.js';
import { HttpError, type FieldValidation } from '../http-error.js';
import { ajvToValidations } from '../error-handler.js';
import { apiKeyActorName, writeAudit } from '../audit-log.js';
import { clockOf } from '../clock.js';
import type { ActingAs } from '../user-actions.js';

export const KASM_PREFIX = '/api/public';

/** What every Kasm error answer holds: Kasm clients read error_message; detail is Tether's own. */
export interface KasmErrorBody {
  error_message: string;
  detail?: string;
}

/** The key behind a call and what the call touched, for the audit entry written as it is answered. */
interface CallRecord {
  key: ApiKeyRecord;
  target?: { type: string; id: string | null; name: string | null };
  error?: string;
}
const calls = new WeakMap<FastifyRequest, CallRecord>();

export interface KasmCall {
  key: ApiKeyRecord;
  /** the key, as the shared use-cases take their actor (audited as apikey:<name>, acting as an administrator within its permissions) */
  acting: ActingAs;
  /** names what the call is about in its audit entry */
  target(type: string, id: string | null, name: string | null): void;
}

function callOf(request: FastifyRequest): KasmCall {
  const record = calls.get(request);
  const key = request.apiKey;
  if (!record || !key) throw new HttpError(401, 'an API key is required');
  return {
    key,
    acting: {
      audit: { apiKey: { api_key_id: key.api_key_id, name: key.name } },
      session: { user_id: null, username: apiKeyActorName(key.name), isAdmin: true },
    },
    target(type, id, name) {
      record.target = { type, id, name };
    },
  };
}

const refused = (message: string, detail: string) => new HttpError(401, message, { detail, headers: { 'www-authenticate': 'Basic realm="Tether API key", charset="UTF-8"' } });

/** key:secret from `Authorization: Basic`, or null without such a header. */
function basicCredentials(request: FastifyRequest): { key: string; secret: string } | null {
  const header = request.headers.authorization;
  if (header === undefined) return null;
  const m = /^Basic +([A-Za-z0-9+/=]+) *$/i.exec(header);
  if (!m) {
    throw refused('this API takes an API key, not a Tether token or another scheme',
      'send "Authorization: Basic base64(api_key:api_key_secret)", or api_key and api_key_secret in the JSON body; create keys with `tether apikey create`');
  }
  const text = Buffer.from(m[1] as string, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon < 0) throw refused('the Basic credentials must be api_key:api_key_secret', 'no ":" in the decoded Authorization header');
  return { key: text.slice(0, colon), secret: text.slice(colon + 1) };
}

function bodyCredentials(body: unknown): { key: string; secret: string } {
  const b = (typeof body === 'object' && body !== null && !Array.isArray(body) ? body : {}) as Record<string, unknown>;
  const missing = ['api_key', 'api_key_secret'].filter((f) => typeof b[f] !== 'string' || b[f] === '');
  if (missing.length > 0) {
    throw refused(`${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} required`,
      'send api_key and api_key_secret (text) in the JSON body, or "Authorization: Basic base64(api_key:api_key_secret)"');
  }
  return { key: b.api_key as string, secret: b.api_key_secret as string };
}

async function authenticate(request: FastifyRequest, deps: AppDeps, presented: { key: string; secret: string }): Promise<void> {
  const now = clockOf(deps)();
  const result = await authenticateApiKey(deps.store, presented.key, presented.secret, now);
  if (!result.ok) {
    request.log.info({ reason: result.reason, api_key_name: result.key?.name }, 'rejected API key');
    throw refused('invalid API key or secret (or the key was revoked or has expired)', 'the reason is in the server log; an administrator lists keys with `tether apikey list`');
  }
  calls.set(request, { key: result.key });
  const need = request.routeOptions.config?.apiKey as ApiKeyNeed;
  const refusal = apiKeyRefusal(result.key, need);
  if (refusal) {
    throw new HttpError(403, refusal, {
      detail: `${endpointOf(request)} needs the "${need.permission}" permission${need.write ? ' on a key that is not read-only' : ''}; key "${result.key.name}" has ${result.key.permissions.join(', ') || 'none'}${result.key.read_only ? ' (read-only)' : ''}`,
    });
  }
  request.apiKey = result.key;
}

const endpointOf = (request: FastifyRequest): string => (request.routeOptions.url ?? request.url).split('?')[0]?.split('/').pop() ?? '';

function messageOf(validations: FieldValidation[]): string {
  return validations.map((v) => `${v.field}: ${v.detail}`).join('; ');
}

/** Any error thrown while serving a Kasm call, as Kasm clients expect it. */
export function kasmErrorOf(error: FastifyError | Error, request: FastifyRequest): { status: number; body: KasmErrorBody; headers?: Record<string, string> } {
  if (error instanceof HttpError) {
    const v = error.extra.validations;
    const body: KasmErrorBody = { error_message: v && v.length > 0 ? `${error.message}: ${messageOf(v)}` : error.message };
    if (error.extra.detail !== undefined) body.detail = error.extra.detail;
    return { status: error.status, body, ...(error.extra.headers ? { headers: error.extra.headers } : {}) };
  }
  if (error instanceof ConflictError) return { status: 409, body: { error_message: error.message, detail: `${error.field} is already taken` } };
  if (error instanceof MissingReferenceError) return { status: 404, body: { error_message: error.message, detail: `${error.field} does not exist` } };
  if (error instanceof SessionError) {
    const status = { not_found: 404, image_not_found: 404, user_not_found: 404, forbidden: 403, image_disabled: 403, image_not_allowed: 403, limit_reached: 409, invalid_state: 409, profile_in_use: 409, profile_not_allowed: 403 }[error.code];
    return { status, body: { error_message: error.message, detail: `session error: ${error.code}` } };
  }
  const fe = error as FastifyError & { validationContext?: string };
  if (fe.validation) {
    const validations = ajvToValidations(fe.validation as unknown as Parameters<typeof ajvToValidations>[0], fe.validationContext);
    return { status: 400, body: { error_message: messageOf(validations), detail: `the request body does not match what ${endpointOf(request)} takes (docs/kasm-api.md)` } };
  }
  switch (fe.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY': return { status: 400, body: { error_message: 'the request body is not valid JSON', detail: fe.message } };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY': return { status: 400, body: { error_message: 'the request body is empty: send a JSON object', detail: fe.message } };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE': return { status: 415, body: { error_message: 'send the request body as JSON (Content-Type: application/json)', detail: fe.message } };
    case 'FST_ERR_CTP_BODY_TOO_LARGE': return { status: 413, body: { error_message: 'request body too large', detail: 'the limit is set by the server (bodyLimit)' } };
  }
  const status = fe.statusCode ?? 500;
  if (status >= 400 && status < 500 && typeof fe.code === 'string' && fe.code.startsWith('FST_')) return { status, body: { error_message: fe.message } };
  request.log.error({ err: error }, 'unhandled error in the Kasm-compatible API');
  return { status: 500, body: { error_message: 'internal server error' } };
}

function send(reply: FastifyReply, status: number, body: KasmErrorBody, headers?: Record<string, string>): FastifyReply {
  for (const [k, v] of Object.entries(headers ?? {})) reply.header(k, v);
  return reply.status(status).type('application/json; charset=utf-8').send(body);
}

/** Installs, inside the /api/public plugin only: authentication, permissions, errors, the audit of every call. */
export function installKasmTransport(app: FastifyInstance, deps: AppDeps, endpoints: () => string[]): void {
  const now = clockOf(deps);
  app.setErrorHandler((error: FastifyError | Error, request, reply) => {
    const { status, body, headers } = kasmErrorOf(error, request);
    const record = calls.get(request);
    if (record) record.error = body.error_message;
    return send(reply, status, body, headers);
  });
  app.setNotFoundHandler((request, reply) => {
    const name = request.url.split('?')[0]?.slice(KASM_PREFIX.length + 1) ?? '';
    const known = endpoints();
    const message = known.includes(name) ? `${name} takes POST with a JSON body, not ${request.method}` : `unknown endpoint "${name}"`;
    return send(reply, 404, { error_message: message, detail: `Tether's Kasm-compatible API offers: ${known.join(', ')} (docs/kasm-api.md)` });
  });
  // The Basic header is checked before the body is even read; body credentials just after
  // parsing. Both before validation: a refused key learns nothing about the body's checks.
  // (The not-found handler of this prefix runs these hooks too: it needs no key.)
  const isEndpoint = (request: FastifyRequest) => request.routeOptions.config?.access === 'apikey';
  app.addHook('onRequest', async (request) => {
    if (!isEndpoint(request)) return;
    const basic = basicCredentials(request);
    if (basic) await authenticate(request, deps, basic);
  });
  app.addHook('preValidation', async (request) => {
    if (isEndpoint(request) && request.apiKey === null && !calls.has(request)) await authenticate(request, deps, bodyCredentials(request.body));
  });
  app.addHook('onSend', async (request, reply, payload) => {
    const record = calls.get(request);
    if (!record) return payload;
    try {
      await writeAudit(deps.store, { apiKey: { api_key_id: record.key.api_key_id, name: record.key.name } }, now(), {
        action: `kasm.${endpointOf(request)}`,
        target_type: record.target?.type ?? 'api',
        target_id: record.target?.id ?? null,
        target_name: record.target?.name ?? null,
        after: { status: reply.statusCode, ...(record.error ? { error_message: record.error } : {}) },
      });
    } catch (err) {
      request.log.error({ err }, 'could not write the audit entry of a Kasm API call');
    }
    return payload;
  });
}

/** The credential fields every endpoint's body may carry beside its own. */
const CREDENTIAL_FIELDS = {
  api_key: { type: 'string', maxLength: 200 },
  api_key_secret: { type: 'string', maxLength: 200 },
} as const;

export interface EndpointSpec {
  summary: string;
  need: ApiKeyNeed;
  /** the endpoint's own body fields (JSON schema properties); fields Kasm clients send that Tether does not use are accepted and ignored */
  properties?: Record<string, unknown>;
  required?: string[];
}

/** Registers `POST /<name>`: access 'apikey' with the permission the endpoint needs. */
export function kasmEndpoint<Body>(app: FastifyInstance, name: string, spec: EndpointSpec, handler: (body: Body, call: KasmCall, request: FastifyRequest) => Promise<object>): void {
  app.post<{ Body: Body }>(`/${name}`, {
    config: { access: 'apikey', apiKey: spec.need },
    schema: {
      summary: spec.summary, tags: ['kasm'],
      body: { type: 'object', required: spec.required ?? [], properties: { ...CREDENTIAL_FIELDS, ...spec.properties } },
    },
  }, async (request) => handler(request.body as Body, callOf(request), request));
}
