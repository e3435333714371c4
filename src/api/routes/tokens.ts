// API tokens. Anyone signed in creates, lists and revokes their own; administrators may list
// (?all=1) and revoke everyone's. The secret is in the creation response only.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { generateTokenSecret } from '../../auth/index.js';
import type { TokenRecord } from '../../store/types.js';
import type { AppDeps } from '../types.js';
import { forbidden, notFound } from '../http-error.js';
import { caller } from '../auth-hook.js';
import { clockOf } from '../clock.js';
import { writeAudit } from '../audit-log.js';
import { errorResponses, idParams, nameText } from '../schemas.js';
import { tokenJson } from '../serialize.js';
import { Token } from '../wire/index.js';

const TEN_YEARS_S = 10 * 366 * 24 * 3600;

export async function tokenRoutes(server: FastifyInstance, deps: AppDeps): Promise<void> {
  const app = server.withTypeProvider<ZodTypeProvider>();
  const now = clockOf(deps);
  const tags = ['tokens'];

  app.get('/tokens', {
    config: { access: 'user' },
    schema: {
      summary: 'List your API tokens (administrators: ?all=1 lists everyone\'s)', tags,
      querystring: z.object({ all: z.enum(['0', '1', 'true', 'false']).optional() }),
      response: { 200: z.array(Token), ...errorResponses },
    },
  }, async (request) => {
    const me = caller(request);
    const all = request.query.all === '1' || request.query.all === 'true';
    if (all && !me.isAdmin) throw forbidden('only administrators may list every user\'s tokens');
    const tokens = await deps.store.tokens.list(all ? { kind: 'api' } : { user_id: me.user.user_id, kind: 'api' });
    return tokens.map(tokenJson);
  });

  app.post('/tokens', {
    config: { access: 'user' },
    schema: {
      summary: 'Create an API token for yourself; the secret is shown once', tags,
      body: z.object({
        name: nameText,
        expires_in: z.number().int().min(60).max(TEN_YEARS_S).describe('seconds; omitted = never expires').optional(),
      }),
      response: { 201: Token.extend({ token: z.string().describe('the secret, shown this once') }), ...errorResponses },
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

  app.delete('/tokens/:id', {
    config: { access: 'user' },
    schema: { summary: 'Revoke a token (yours; administrators: anyone\'s); terminals and app access opened with it close', tags, params: idParams('token id'), response: { 204: z.null(), ...errorResponses } },
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
    return reply.status(204).send(null);
  });
}
