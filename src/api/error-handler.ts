// The API's one error map: every error leaves as { message, detail?, validations? } with a
// proper status. Anything unexpected is logged and answered with a generic 500; its message
// never reaches the client.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ConflictError, MissingReferenceError } from '../store/types.js';
import { MappingDomainError } from '../mappings/index.js';
import { HttpError, type ErrorBody, type FieldValidation } from './http-error.js';

interface AjvError {
  keyword: string;
  instancePath: string;
  message?: string;
  params: Record<string, unknown>;
  parentSchema?: { properties?: Record<string, unknown>; description?: unknown };
}

/** `/settings/volume_mappings` -> `settings.volume_mappings`; array indexes become `[3]`. */
function fieldOf(instancePath: string, context: string | undefined): string {
  const parts = instancePath.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  let out = '';
  for (const p of parts) out += /^\d+$/.test(p) ? `[${p}]` : out === '' ? p : `.${p}`;
  return out === '' ? (context === 'body' ? '(body)' : `(${context ?? 'request'})`) : out;
}

function join(base: string, name: string): string {
  return base.startsWith('(') ? name : `${base}.${name}`;
}

export function ajvToValidations(errors: AjvError[], context: string | undefined): FieldValidation[] {
  const out: FieldValidation[] = [];
  for (const e of errors) {
    const base = fieldOf(e.instancePath, context);
    if (e.keyword === 'additionalProperties') {
      const name = String(e.params.additionalProperty);
      const allowed = Object.keys(e.parentSchema?.properties ?? {});
      const what = base === 'settings' ? 'unknown setting' : 'unknown field';
      out.push({ field: join(base, name), detail: `${what} "${name}"; allowed: ${allowed.join(', ') || '(none)'}` });
    } else if (e.keyword === 'required') {
      out.push({ field: join(base, String(e.params.missingProperty)), detail: 'is required' });
    } else if (e.keyword === 'minProperties') {
      out.push({ field: base, detail: 'give at least one field to change' });
    } else if ((e.keyword === 'maximum' || e.keyword === 'minimum') && typeof e.parentSchema?.description === 'string') {
      // "must be <= 31536000" alone does not say what the number counts
      out.push({ field: base, detail: `${e.message ?? e.keyword}; expected ${e.parentSchema.description}` });
    } else if (e.keyword === 'type') {
      out.push({ field: base, detail: `expected ${String(e.params.type).replace(',', ' or ')}` });
    } else {
      out.push({ field: base, detail: e.message ?? e.keyword });
    }
  }
  const seen = new Set<string>();
  return out.filter((v) => (seen.has(v.field + v.detail) ? false : (seen.add(v.field + v.detail), true)));
}

function send(reply: FastifyReply, status: number, body: ErrorBody, headers?: Record<string, string>): FastifyReply {
  for (const [k, v] of Object.entries(headers ?? {})) reply.header(k, v);
  return reply.status(status).type('application/json; charset=utf-8').send(body);
}

export function handleError(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (error instanceof HttpError) return send(reply, error.status, error.body(), error.extra.headers);
  if (error instanceof ConflictError) {
    return send(reply, 409, { message: error.message, validations: [{ field: error.field, detail: error.detail }] });
  }
  if (error instanceof MissingReferenceError) {
    // A write named a row that vanished meanwhile (e.g. a user deleted while being added to a group).
    return send(reply, 404, { message: error.message, validations: [{ field: error.field, detail: 'does not exist' }] });
  }
  if (error instanceof MappingDomainError) {
    return send(reply, 400, {
      message: 'the stored volume mappings cannot be applied',
      detail: error.message,
      validations: [{ field: error.location ?? '(volume_mappings)', detail: error.message }],
    });
  }
  const fe = error as FastifyError & { validationContext?: string };
  if (fe.validation) {
    const validations = ajvToValidations(fe.validation as unknown as AjvError[], fe.validationContext);
    return send(reply, 400, { message: `invalid ${fe.validationContext ?? 'request'}`, validations });
  }
  if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return send(reply, 413, { message: 'request body too large', detail: 'the limit is set by the server (bodyLimit)' });
  }
  const status = fe.statusCode ?? 500;
  // Fastify's own client errors (bad JSON, wrong content type): their messages are safe.
  if (status >= 400 && status < 500 && typeof fe.code === 'string' && fe.code.startsWith('FST_')) {
    return send(reply, status, { message: fe.message });
  }
  request.log.error({ err: error }, 'unhandled error');
  return send(reply, 500, { message: 'internal server error' });
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler(handleError);
  app.setNotFoundHandler((request, reply) => send(reply, 404, { message: `no route ${request.method} ${request.url.split('?')[0]}` }));
}
