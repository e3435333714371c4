// Users: administrators only. Every new user joins "All Users"; the last active
// administrator cannot be disabled or deleted (nobody could manage Tether any more).
import type { FastifyInstance } from 'fastify';
import { DEFAULT_SCRYPT_N } from '../../auth/index.js';
import type { AppDeps } from '../types.js';
import { badRequest } from '../http-error.js';
import { caller } from '../auth-hook.js';
import { clockOf } from '../clock.js';
import { requireUser } from '../lookup.js';
import { actingAsPrincipal, createUser, deleteUser, updateUser } from '../user-actions.js';
import { errorResponses, idParam, listOf, userSchema } from '../schemas.js';
import { userJson } from '../serialize.js';

const reuseNameSchema = {
  type: 'boolean',
  description: 'give a username that an earlier (deleted or renamed) user held: their {username} folders become this user\'s; without it such a name is 409',
} as const;

export const passwordSchema = { type: 'string', minLength: 8, maxLength: 1024, description: '8 to 1024 characters' } as const;
const params = idParam('id', 'user id or username');

export async function userRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const env = { deps, now: clockOf(deps), scryptN: deps.auth?.scryptN ?? DEFAULT_SCRYPT_N };
  const tags = ['users'];

  app.get('/users', {
    config: { access: 'admin' },
    schema: { summary: 'List users', tags, response: { 200: listOf(userSchema), ...errorResponses } },
  }, async () => (await deps.store.users.list()).map(userJson));

  app.post<{ Body: { username: string; password: string; groups?: string[]; reuse_name?: boolean } }>('/users', {
    config: { access: 'admin' },
    schema: {
      summary: 'Create a user (joins "All Users" and the groups given by id or name)',
      tags,
      body: {
        type: 'object', additionalProperties: false, required: ['username', 'password'],
        properties: {
          username: { type: 'string', maxLength: 200 },
          password: passwordSchema,
          groups: { type: 'array', maxItems: 1000, uniqueItems: true, items: { type: 'string', minLength: 1, maxLength: 200 } },
          reuse_name: reuseNameSchema,
        },
      },
      response: { 201: userSchema, ...errorResponses },
    },
  }, async (request, reply) => {
    const { username, password, groups, reuse_name: reuseName } = request.body;
    const user = await createUser(env, actingAsPrincipal(caller(request)), { username, password, ...(groups ? { groups } : {}), ...(reuseName !== undefined ? { reuseName } : {}) });
    return reply.status(201).send(userJson(user));
  });

  app.get<{ Params: { id: string } }>('/users/:id', {
    config: { access: 'admin' },
    schema: { summary: 'Show a user', tags, params, response: { 200: userSchema, ...errorResponses } },
  }, async (request) => userJson(await requireUser(deps.store, request.params.id)));

  app.patch<{ Params: { id: string }; Body: { disabled?: boolean; password?: string; username?: string; reuse_name?: boolean } }>('/users/:id', {
    config: { access: 'admin' },
    schema: {
      summary: 'Disable/enable a user, set their password (a new password ends their login sessions) or rename them (the old name is retired)',
      tags, params,
      body: {
        type: 'object', additionalProperties: false, minProperties: 1,
        properties: { disabled: { type: 'boolean' }, password: passwordSchema, username: { type: 'string', maxLength: 200 }, reuse_name: reuseNameSchema },
      },
      response: { 200: userSchema, ...errorResponses },
    },
  }, async (request) => {
    const user = await requireUser(deps.store, request.params.id);
    const { disabled, password, username, reuse_name: reuseName } = request.body;
    if (username === undefined && reuseName !== undefined) {
      throw badRequest('reuse_name goes with username; nothing was changed', { validations: [{ field: 'reuse_name', detail: 'only with a new username' }] });
    }
    return userJson(await updateUser(env, actingAsPrincipal(caller(request)), user, { disabled, password, username, reuseName }));
  });

  app.delete<{ Params: { id: string }; Querystring: { force?: string } }>('/users/:id', {
    config: { access: 'admin' },
    schema: {
      summary: 'Delete a user. With sessions not yet destroyed: 409, unless force=true, which disables the user, destroys their sessions (host data is never touched), then deletes',
      tags, params,
      querystring: { type: 'object', additionalProperties: false, properties: { force: { type: 'string', enum: ['0', '1', 'true', 'false'] } } },
      response: { 204: { type: 'null' }, ...errorResponses },
    },
  }, async (request, reply) => {
    const user = await requireUser(deps.store, request.params.id);
    const force = request.query.force === '1' || request.query.force === 'true';
    await deleteUser(env, actingAsPrincipal(caller(request)), user, { force, forceHint: `force=true (\`tether user delete ${user.username} --force\`)` });
    return reply.status(204).send();
  });
}
