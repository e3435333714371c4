// Group membership (add_user_group, remove_user_group) and images (get_images): the same
// use-cases and rules as /api/v1/groups/{id}/members and /api/v1/images.
import type { FastifyInstance } from 'fastify';
import { DEFAULT_SCRYPT_N } from '../../auth/index.js';
import type { AppDeps } from '../types.js';
import { clockOf } from '../clock.js';
import { addToGroup, removeFromGroup } from '../user-actions.js';
import { kasmEndpoint } from './transport.js';
import { groupRef, idField, userRef } from './refs.js';
import { kasmImageListing } from './views.js';

interface MembershipBody {
  target_user: { user_id: string };
  target_group: { group_id: string };
}

const membership = {
  target_user: { type: 'object', required: ['user_id'], properties: { user_id: idField } },
  target_group: { type: 'object', required: ['group_id'], properties: { group_id: idField } },
};

export async function kasmGroupEndpoints(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const env = { deps, now: clockOf(deps), scryptN: deps.auth?.scryptN ?? DEFAULT_SCRYPT_N };
  const groupsWrite = { permission: 'groups' as const, write: true };

  kasmEndpoint<MembershipBody>(app, 'add_user_group', {
    summary: 'Add a user to a group (already a member: 409)', need: groupsWrite, required: ['target_user', 'target_group'], properties: membership,
  }, async (body, call) => {
    const user = await userRef(deps.store, 'target_user.user_id', body.target_user.user_id);
    const group = await groupRef(deps.store, 'target_group.group_id', body.target_group.group_id);
    call.target('group', group.group_id, group.name);
    await addToGroup(env, call.acting, group, user);
    return {};
  });

  kasmEndpoint<MembershipBody>(app, 'remove_user_group', {
    summary: 'Remove a user from a group (never from "All Users"; never the last administrator)', need: groupsWrite, required: ['target_user', 'target_group'], properties: membership,
  }, async (body, call) => {
    const user = await userRef(deps.store, 'target_user.user_id', body.target_user.user_id);
    const group = await groupRef(deps.store, 'target_group.group_id', body.target_group.group_id);
    call.target('group', group.group_id, group.name);
    await removeFromGroup(env, call.acting, group, user);
    return {};
  });

  kasmEndpoint<object>(app, 'get_images', { summary: 'Every image', need: { permission: 'images', write: false } }, async () => ({
    images: (await deps.store.images.list()).map(kasmImageListing),
  }));
}
