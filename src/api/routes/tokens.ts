// API tokens. Anyone signed in creates, lists and revokes their own; administrators may list
// (?all=1) and revoke everyone's. The secret is in the creation response only.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { generateTokenSecret } from '../../auth/index.js';
import type { TokenRecord } from '../../store/types.js';
import type { AppDeps } from '../types.js';
import { forbidden, notFound } from '../http-error.js';
import { caller } from '../auth-hook.js';
import { clockOf } from '../clock.js';
import { writeAudit } from '../audit-log.js';
import { errorResponses, idParam, listOf, nameText, tokenSchema } from '../schemas.js';
import { tokenJson } from '../serialize.js';

const TEN_YEARS_S = 10 * 366 * 24 * 3600;

export async function tokenRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const now = clockOf(deps);
  const tags = ['tokens'];

  app.get<{ Querystring: { all?: string } }>('/tokens', {
    config: { access: 'user' },
    schema: {
      summary: 'List your API tokens (administrators: ?all=1 lists everyone\'s)', tags,
      querystring: { type: 'object', additionalProperties: false, properties: { all: { type: 'string', enum: ['0', '1', 'true', 'false'] } } },
      response: { 200: listOf(tokenSchema), ...errorResponses },
    },
  }, async (request) => {
    const me = caller(request);
    const all = request.query.all === '1' || request.query.all === 'true';
    if (all && !me.isAdmin) throw forbidden('only administrators may list every user\'s tokens');
    const tokens = await deps.store.tokens.list(all ? { kind: 'api' } : { user_id: me.user.user_id, kind: 'api' });
    return tokens.map(tokenJson);
  });

  app.post<{ Body: { name: string; expires_in?: number } }>('/tokens', {
    config: { access: 'user' },
    schema: {
      summary: 'Create an API token for yourself; the secret is shown once', tags,
      body: {
        type: 'object', additionalProperties: false, required: ['name'],
        properties: { name: nameText, expires_in: { type: 'integer', minimum: 60, maximum: TEN_YEARS_S, description: 'seconds; omitted = never expires' } },
      },
      response: { 201: { type: 'object', properties: { ...tokenSchema.properties, token: { type: 'string' } } }, ...errorResponses },
    },
  }, async (request, reply) => {
    const me = caller(request);
    const { secret, digest } = generateTokenSecret();
    const at = now();
    const record: TokenRecord = {
      token_id: randomUUID(), user_id: me.user.user_id, kind: 'api', name: request.body.name, digest, created_at: at.toISOString(),
      expires_at: request.body.expires_in === undefined ? null : new Date(at.getTime() + request.body.expires_in * 1000).toISOString(),
      revoked_at: null, last_used_at: null,
    };
    await deps.store.transaction(async (tx) => {
      await tx.tokens.create(record);
      await writeAudit(tx, me, at, { action: 'token.create', target_type: 'token', target_id: record.token_id, target_name: record.name, after: tokenJson(record) });
    });
    return reply.status(201).send({ ...tokenJson(record), token: secret });
  });

  app.delete<{ Params: { id: string } }>('/tokens/:id', {
    config: { access: 'user' },
    schema: { summary: 'Revoke a token (yours; administrators: anyone\'s); terminals and app access opened with it close', tags, params: idParam('id', 'token id'), response: { 204: { type: 'null' }, ...errorResponses } },
  }, async (request, reply) => {
    const me = caller(request);
    const token = /^[0-9a-f-]{36}$/i.test(request.params.id) ? await deps.store.tokens.get(request.params.id.toLowerCase()) : undefined;
    if (!token) throw notFound(`token "${request.params.id}"`);
    if (token.user_id !== me.user.user_id && !me.isAdmin) throw forbidden('you may revoke only your own tokens');
    if (token.revoked_at === null) {
      const at = now();
      await deps.store.transaction(async (tx) => {
        await tx.tokens.update(token.token_id, { revoked_at: at.toISOString() });
        await writeAudit(tx, me, at, { action: 'token.revoke', target_type: 'token', target_id: token.token_id, target_name: token.name, before: tokenJson(token) });
      });
      deps.revocations?.publish({ kind: 'token', tokenId: token.token_id, reason: 'token revoked' });
    }
    return reply.status(204).send();
  });
}
