// API keys of the Kasm-compatible API (/api/public): administrators only. The secret is in
// the creation response only; the store keeps its SHA-256 digest. Deleting a key revokes it
// at once and keeps it listed as revoked, so the audit log's entries still name it. An API
// key is not a login: it reaches /api/public only, never these routes or any under /api/v1.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { generateApiKey } from '../../auth/api-keys.js';
import { API_KEY_PERMISSIONS, type ApiKeyPermission, type ApiKeyRecord } from '../../store/types.js';
import type { AppDeps } from '../types.js';
import { notFound } from '../http-error.js';
import { caller } from '../auth-hook.js';
import { clockOf } from '../clock.js';
import { writeAudit } from '../audit-log.js';
import { errorResponses, idParams } from '../schemas.js';
import { ApiKey, CreatedApiKey } from '../wire/index.js';
import { withJsonSchema } from '../zod-schema.js';
import { z } from 'zod';

const TEN_YEARS_S = 10 * 366 * 24 * 3600;

export const apiKeyJson = (k: ApiKeyRecord) => ({
  api_key_id: k.api_key_id,
  name: k.name,
  api_key: k.key,
  permissions: k.permissions,
  read_only: k.read_only,
  created_by: k.created_by,
  created_at: k.created_at,
  expires_at: k.expires_at,
  revoked_at: k.revoked_at,
  last_used_at: k.last_used_at,
});

export async function apiKeyRoutes(server: FastifyInstance, deps: AppDeps): Promise<void> {
  const app = server.withTypeProvider<ZodTypeProvider>();
  const now = clockOf(deps);
  const tags = ['api keys'];

  app.get('/api-keys', {
    config: { access: 'admin' },
    schema: { summary: 'List API keys (never their secrets)', tags, response: { 200: z.array(ApiKey), ...errorResponses } },
  }, async () => (await deps.store.apiKeys.list()).map(apiKeyJson));

  app.post('/api-keys', {
    config: { access: 'admin' },
    schema: {
      summary: 'Create an API key for the Kasm-compatible API; api_key_secret is shown once', tags,
      body: z.object({
        name: z.string().min(1).max(100).regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/).describe('letters, digits, ".", "_", "-"; the audit log names the key apikey:<name>'),
        permissions: withJsonSchema(z.array(z.enum(API_KEY_PERMISSIONS as readonly [ApiKeyPermission, ...ApiKeyPermission[]])).min(1).describe(`one or more of ${API_KEY_PERMISSIONS.join(', ')}`), { uniqueItems: true }),
        read_only: z.boolean().describe('true: the key only reads (default false)').optional(),
        expires_in: z.number().int().min(60).max(TEN_YEARS_S).describe('seconds; omitted = never expires').optional(),
      }),
      response: { 201: CreatedApiKey, ...errorResponses },
    },
  }, async (request, reply) => {
    const me = caller(request);
    const { key, secret, digest } = generateApiKey();
    const at = now();
    const record: ApiKeyRecord = {
      api_key_id: randomUUID(), name: request.body.name, key, digest, permissions: request.body.permissions, read_only: request.body.read_only ?? false,
      created_by: me.user.user_id, created_at: at.toISOString(),
      expires_at: request.body.expires_in === undefined ? null : new Date(at.getTime() + request.body.expires_in * 1000).toISOString(),
      revoked_at: null, last_used_at: null,
    };
    await deps.store.transaction(async (tx) => {
      await tx.apiKeys.create(record);
      await writeAudit(tx, me, at, { action: 'apikey.create', target_type: 'api_key', target_id: record.api_key_id, target_name: record.name, after: apiKeyJson(record) });
    });
    return reply.status(201).send({ ...apiKeyJson(record), api_key_secret: secret });
  });

  app.delete('/api-keys/:id', {
    config: { access: 'admin' },
    schema: { summary: 'Delete (revoke) an API key, by id or name; it stays listed as revoked', tags, params: idParams('API key id or name'), response: { 204: z.null(), ...errorResponses } },
  }, async (request, reply) => {
    const ref = request.params.id;
    const key = (/^[0-9a-f-]{36}$/i.test(ref) ? await deps.store.apiKeys.get(ref.toLowerCase()) : undefined) ?? (await deps.store.apiKeys.getByName(ref));
    if (!key) throw notFound(`API key "${ref}"`);
    if (key.revoked_at === null) {
      const at = now();
      await deps.store.transaction(async (tx) => {
        await tx.apiKeys.update(key.api_key_id, { revoked_at: at.toISOString() });
        await writeAudit(tx, caller(request), at, { action: 'apikey.delete', target_type: 'api_key', target_id: key.api_key_id, target_name: key.name, before: apiKeyJson(key) });
      });
    }
    return reply.status(204).send(null);
  });
}
