// Group membership: administrators only. Nobody leaves "All Users"; the last active
// administrator cannot leave "Administrators".
import type { FastifyInstance } from 'fastify';
import { ADMINISTRATORS_GROUP_ID, ALL_USERS_GROUP_ID } from '../../store/system-groups.js';
import type { AppDeps } from '../types.js';
import { conflict, notFound } from '../http-error.js';
import { caller } from '../auth-hook.js';
import { clockOf } from '../clock.js';
import { writeAudit } from '../audit-log.js';
import { requireGroup, requireUser } from '../lookup.js';
import { errorResponses, listOf, userSchema } from '../schemas.js';
import { userJson } from '../serialize.js';
import { assertNotLastAdmin } from './users.js';

const groupParam = { id: { type: 'string', minLength: 1, maxLength: 200, description: 'group id or name' } };

export async function memberRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const now = clockOf(deps);
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
    const current = await deps.store.groups.groupsOf(user.user_id);
    if (current.some((g) => g.group_id === group.group_id)) throw conflict(`user "${user.username}" is already a member of "${group.name}"`);
    await deps.store.transaction(async (tx) => {
      await tx.groups.addMember(group.group_id, user.user_id);
      await writeAudit(tx, caller(request), now(), {
        action: 'group.member.add', target_type: 'group', target_id: group.group_id, target_name: group.name, after: { user_id: user.user_id, username: user.username },
      });
    });
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
    if (group.group_id === ALL_USERS_GROUP_ID) throw conflict('every user stays in "All Users"; delete or disable the user instead');
    const current = await deps.store.groups.groupsOf(user.user_id);
    if (!current.some((g) => g.group_id === group.group_id)) throw notFound(`membership of "${user.username}" in "${group.name}"`);
    if (group.group_id === ADMINISTRATORS_GROUP_ID) await assertNotLastAdmin(deps.store, user.user_id, 'remove from "Administrators"');
    await deps.store.transaction(async (tx) => {
      await tx.groups.removeMember(group.group_id, user.user_id);
      await writeAudit(tx, caller(request), now(), {
        action: 'group.member.remove', target_type: 'group', target_id: group.group_id, target_name: group.name, before: { user_id: user.user_id, username: user.username },
      });
    });
    return reply.status(204).send();
  });
}
