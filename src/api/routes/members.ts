// Group membership: administrators only. Nobody leaves "All Users"; the last active
// administrator cannot leave "Administrators".
import type { FastifyInstance } from 'fastify';
import { DEFAULT_SCRYPT_N } from '../../auth/index.js';
import type { AppDeps } from '../types.js';
import { caller } from '../auth-hook.js';
import { clockOf } from '../clock.js';
import { requireGroup, requireUser } from '../lookup.js';
import { errorResponses, listOf, userSchema } from '../schemas.js';
import { userJson } from '../serialize.js';
import { actingAsPrincipal, addToGroup, removeFromGroup } from '../user-actions.js';

const groupParam = { id: { type: 'string', minLength: 1, maxLength: 200, description: 'group id or name' } };

export async function memberRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const env = { deps, now: clockOf(deps), scryptN: deps.auth?.scryptN ?? DEFAULT_SCRYPT_N };
  const tags = ['groups'];

  app.get<{ Params: { id: string } }>('/groups/:id/members', {
    config: { access: 'admin' },
    schema: {
      summary: 'List the members of a group', tags,
      params: { type: 'object', properties: groupParam, required: ['id'], additionalProperties: false },
      response: { 200: listOf(userSchema), ...errorResponses },
    },
  }, async (request) => {
    const group = await requireGroup(deps.store, request.params.id);
    return (await deps.store.groups.members(group.group_id)).map(userJson);
  });

  app.post<{ Params: { id: string }; Body: { user: string } }>('/groups/:id/members', {
    config: { access: 'admin' },
    schema: {
      summary: 'Add a user (id or username) to a group', tags,
      params: { type: 'object', properties: groupParam, required: ['id'], additionalProperties: false },
      body: { type: 'object', additionalProperties: false, required: ['user'], properties: { user: { type: 'string', minLength: 1, maxLength: 200 } } },
      response: { 204: { type: 'null' }, ...errorResponses },
    },
  }, async (request, reply) => {
    const group = await requireGroup(deps.store, request.params.id);
    const user = await requireUser(deps.store, request.body.user);
    await addToGroup(env, actingAsPrincipal(caller(request)), group, user);
    return reply.status(204).send();
  });

  app.delete<{ Params: { id: string; user: string } }>('/groups/:id/members/:user', {
    config: { access: 'admin' },
    schema: {
      summary: 'Remove a user from a group ("All Users": 409)', tags,
      params: {
        type: 'object', additionalProperties: false, required: ['id', 'user'],
        properties: { ...groupParam, user: { type: 'string', minLength: 1, maxLength: 200, description: 'user id or username' } },
      },
      response: { 204: { type: 'null' }, ...errorResponses },
    },
  }, async (request, reply) => {
    const group = await requireGroup(deps.store, request.params.id);
    const user = await requireUser(deps.store, request.params.user);
    await removeFromGroup(env, actingAsPrincipal(caller(request)), group, user);
    return reply.status(204).send();
  });
}
