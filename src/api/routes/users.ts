// Users: administrators only. Every new user joins "All Users"; the last active
// administrator cannot be disabled or deleted (nobody could manage Tether any more).
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { DEFAULT_SCRYPT_N } from '../../auth/index.js';
import type { AppDeps } from '../types.js';
import { badRequest } from '../http-error.js';
import { caller } from '../auth-hook.js';
import { clockOf } from '../clock.js';
import { requireUser } from '../lookup.js';
import { actingAsPrincipal, createUser, deleteUser, updateUser } from '../user-actions.js';
import { errorResponses, idParams } from '../schemas.js';
import { userJson } from '../serialize.js';
import { User } from '../wire/index.js';
import { jsonSchemaOf, withJsonSchema } from '../zod-schema.js';

const reuseName = z.boolean()
  .describe('give a username that an earlier (deleted or renamed) user held: their {username} folders become this user\'s; without it such a name is 409');

const password = z.string().min(8).max(1024).describe('8 to 1024 characters');
/** the same, for JSON Schema routes (the Kasm API) */
export const passwordSchema = jsonSchemaOf(password);
const params = idParams('user id or username');

export async function userRoutes(server: FastifyInstance, deps: AppDeps): Promise<void> {
  const app = server.withTypeProvider<ZodTypeProvider>();
  const env = { deps, now: clockOf(deps), scryptN: deps.auth?.scryptN ?? DEFAULT_SCRYPT_N };
  const tags = ['users'];

  app.get('/users', {
    config: { access: 'admin' },
    schema: { summary: 'List users', tags, response: { 200: z.array(User), ...errorResponses } },
  }, async () => (await deps.store.users.list()).map(userJson));

  app.post('/users', {
    config: { access: 'admin' },
    schema: {
      summary: 'Create a user (joins "All Users" and the groups given by id or name)',
      tags,
      body: z.object({
        username: z.string().max(200),
        password,
        groups: withJsonSchema(z.array(z.string().min(1).max(200)).max(1000), { uniqueItems: true }).optional(),
        reuse_name: reuseName.optional(),
      }),
      response: { 201: User, ...errorResponses },
    },
  }, async (request, reply) => {
    const { username, password, groups, reuse_name: reuseName } = request.body;
    const user = await createUser(env, actingAsPrincipal(caller(request)), { username, password, ...(groups ? { groups } : {}), ...(reuseName !== undefined ? { reuseName } : {}) });
    return reply.status(201).send(userJson(user));
  });

  app.get('/users/:id', {
    config: { access: 'admin' },
    schema: { summary: 'Show a user', tags, params, response: { 200: User, ...errorResponses } },
  }, async (request) => userJson(await requireUser(deps.store, request.params.id)));

  app.patch('/users/:id', {
    config: { access: 'admin' },
    schema: {
      summary: 'Disable/enable a user, set their password (a new password ends their login sessions) or rename them (the old name is retired)',
      tags, params,
      body: withJsonSchema(z.object({
        disabled: z.boolean().optional(), password: password.optional(), username: z.string().max(200).optional(), reuse_name: reuseName.optional(),
      }), { minProperties: 1 }),
      response: { 200: User, ...errorResponses },
    },
  }, async (request) => {
    const user = await requireUser(deps.store, request.params.id);
    const { disabled, password, username, reuse_name: reuseName } = request.body;
    if (username === undefined && reuseName !== undefined) {
      throw badRequest('reuse_name goes with username; nothing was changed', { validations: [{ field: 'reuse_name', detail: 'only with a new username' }] });
    }
    return userJson(await updateUser(env, actingAsPrincipal(caller(request)), user, { disabled, password, username, reuseName }));
  });

  app.delete('/users/:id', {
    config: { access: 'admin' },
    schema: {
      summary: 'Delete a user. With sessions not yet destroyed: 409, unless force=true, which disables the user, destroys their sessions (host data is never touched), then deletes',
      tags, params,
      querystring: z.object({ force: z.enum(['0', '1', 'true', 'false']).optional() }),
      response: { 204: z.null(), ...errorResponses },
    },
  }, async (request, reply) => {
    const user = await requireUser(deps.store, request.params.id);
    const force = request.query.force === '1' || request.query.force === 'true';
    await deleteUser(env, actingAsPrincipal(caller(request)), user, { force, forceHint: `force=true (\`tether user delete ${user.username} --force\`)` });
    return reply.status(204).send(null);
  });
}
