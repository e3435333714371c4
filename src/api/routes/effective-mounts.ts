// The effective-mounts view (spec section 5) from stored configuration: administrators for
// any user, users for themselves only and only for images open to them.
import type { FastifyInstance } from 'fastify';
import { resolveEffectiveMounts } from '../../mappings/index.js';
import type { AppDeps } from '../types.js';
import { forbidden, notFound } from '../http-error.js';
import { caller, callerGroups } from '../auth-hook.js';
import { requireImage, requireUser } from '../lookup.js';
import { errorResponses } from '../schemas.js';
import { imageVisibleTo } from './images.js';

const ref = { type: 'string', minLength: 1, maxLength: 200 } as const;
const free = { type: 'array', items: { type: 'object', additionalProperties: true } } as const;

export async function effectiveMountsRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  app.get<{ Querystring: { image: string; user?: string } }>('/effective-mounts', {
    config: { access: 'user' },
    schema: {
      summary: 'What a session of IMAGE launched by USER would mount (USER defaults to the caller)', tags: ['mappings'],
      querystring: {
        type: 'object', additionalProperties: false, required: ['image'],
        properties: { image: { ...ref, description: 'image id or name' }, user: { ...ref, description: 'user id or username' } },
      },
      response: {
        200: {
          type: 'object',
          properties: {
            image: { type: 'object', properties: { image_id: { type: 'string' }, name: { type: 'string' } } },
            user: { type: 'object', properties: { user_id: { type: 'string' }, username: { type: 'string' } } },
            mounts: free, shadowed: free, conflicts: free,
          },
        },
        ...errorResponses,
      },
    },
  }, async (request) => {
    const me = caller(request);
    const { image: imageRef, user: userRef } = request.query;
    const self = userRef === undefined || userRef.toLowerCase() === me.user.username.toLowerCase() || userRef.toLowerCase() === me.user.user_id;
    // Authorization before any lookup: a user learns nothing about whether others exist.
    if (!self && !me.isAdmin) throw forbidden('you may view only your own effective mounts');
    const user = self ? me.user : await requireUser(deps.store, userRef);
    const image = await requireImage(deps.store, imageRef);
    if (!(await imageVisibleTo(deps, me, image))) throw notFound(`image "${imageRef}"`);
    const groups = self ? await callerGroups(deps.store, me) : await deps.store.groups.groupsOf(user.user_id);
    const view = resolveEffectiveMounts({
      image: { name: image.name, volume_mappings: image.volume_mappings },
      groups: groups.map((g) => ({ name: g.name, priority: g.priority, volume_mappings: g.settings.volume_mappings })),
      tokens: { username: user.username, user_id: user.user_id, image_id: image.image_id },
      policy: deps.policy,
    });
    return { image: { image_id: image.image_id, name: image.name }, user: { user_id: user.user_id, username: user.username }, ...view };
  });
}
