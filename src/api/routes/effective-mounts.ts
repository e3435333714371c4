// The effective-mounts view (spec section 5) from stored configuration: administrators for
// any user, users for themselves only and only for images open to them.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../types.js';
import { forbidden, notFound } from '../http-error.js';
import { caller, callerGroups } from '../auth-hook.js';
import { requireImage, requireUser } from '../lookup.js';
import { errorResponses } from '../schemas.js';
import { MountsAnswer } from '../wire/index.js';
import { imageVisibleTo } from './images.js';
import { planProfile, profileOffer, resolveSessionMounts } from '../../sessions/index.js';
import type { GroupRecord, ImageRecord, UserRecord } from '../../store/types.js';
import type { HostPathPolicy } from '../../mappings/types.js';

/** What the launch button offers: the modes, and the profile folder when offered. */
function profileView(image: ImageRecord, groups: GroupRecord[], user: UserRecord, policy: HostPathPolicy) {
  const offer = profileOffer(image, groups);
  if (!offer.allowed) return { ...offer, host_path: null, bind: null };
  try {
    const p = planProfile(image, user, policy);
    return { ...offer, host_path: p.mount.host_path, bind: p.mount.bind };
  } catch (err) {
    // offered, but a launch would fail: say why now
    return { ...offer, reason: `a launch would fail: ${err instanceof Error ? err.message : String(err)}`, host_path: null, bind: null };
  }
}

const ref = z.string().min(1).max(200);

export async function effectiveMountsRoutes(server: FastifyInstance, deps: AppDeps): Promise<void> {
  const app = server.withTypeProvider<ZodTypeProvider>();
  app.get('/effective-mounts', {
    config: { access: 'user' },
    schema: {
      summary: 'What a session of IMAGE launched by USER would mount (USER defaults to the caller)', tags: ['mappings'],
      querystring: z.object({ image: ref.describe('image id or name'), user: ref.describe('user id or username').optional() }),
      response: { 200: MountsAnswer, ...errorResponses },
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
    // the same resolution a launch does (the session use-case), without the launch
    const { view } = resolveSessionMounts(image, groups, user, deps.policy);
    return { image: { image_id: image.image_id, name: image.name }, user: { user_id: user.user_id, username: user.username }, ...view, profile: profileView(image, groups, user, deps.policy) };
  });
}
