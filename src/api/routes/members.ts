// Group membership: administrators only. Nobody leaves "All Users"; the last active
// administrator cannot leave "Administrators".
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { DEFAULT_SCRYPT_N } from '../../auth/index.js';
import type { AppDeps } from '../types.js';
import { caller } from '../auth-hook.js';
import { clockOf } from '../clock.js';
import { requireGroup, requireUser } from '../lookup.js';
import { errorResponses, idParams } from '../schemas.js';
import { userJson } from '../serialize.js';
import { actingAsPrincipal, addToGroup, removeFromGroup } from '../user-actions.js';
import { User } from '../wire/index.js';

const groupParams = idParams('group id or name');
const userRef = z.string().min(1).max(200);

export async function memberRoutes(server: FastifyInstance, deps: AppDeps): Promise<void> {
  const app = server.withTypeProvider<ZodTypeProvider>();
  const env = { deps, now: clockOf(deps), scryptN: deps.auth?.scryptN ?? DEFAULT_SCRYPT_N };
  const tags = ['groups'];

  app.get('/groups/:id/members', {
    config: { access: 'admin' },
    schema: { summary: 'List the members of a group', tags, params: groupParams, response: { 200: z.array(User), ...errorResponses } },
  }, async (request) => {
    const group = await requireGroup(deps.store, request.params.id);
    return (await deps.store.groups.members(group.group_id)).map(userJson);
  });

  app.post('/groups/:id/members', {
    config: { access: 'admin' },
    schema: {
      summary: 'Add a user (id or username) to a group', tags,
      params: groupParams,
      body: z.object({ user: userRef }),
      response: { 204: z.null(), ...errorResponses },
    },
  }, async (request, reply) => {
    const group = await requireGroup(deps.store, request.params.id);
    const user = await requireUser(deps.store, request.body.user);
    await addToGroup(env, actingAsPrincipal(caller(request)), group, user);
    return reply.status(204).send(null);
  });

  app.delete('/groups/:id/members/:user', {
    config: { access: 'admin' },
    schema: {
      summary: 'Remove a user from a group ("All Users": 409)', tags,
      params: groupParams.extend({ user: userRef.describe('user id or username') }),
      response: { 204: z.null(), ...errorResponses },
    },
  }, async (request, reply) => {
    const group = await requireGroup(deps.store, request.params.id);
    const user = await requireUser(deps.store, request.params.user);
    await removeFromGroup(env, actingAsPrincipal(caller(request)), group, user);
    return reply.status(204).send(null);
  });
}
