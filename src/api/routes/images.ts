// Workspace images. Administrators manage them and see all; a user sees only the enabled
// images open to them (no groups = everyone, else a group they belong to: sessions/group-rules.ts).
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ImageRecord } from '../../store/types.js';
import type { AppDeps, Principal } from '../types.js';
import { notFound } from '../http-error.js';
import { caller, callerGroups } from '../auth-hook.js';
import { clockOf } from '../clock.js';
import { writeAudit } from '../audit-log.js';
import { requireImage } from '../lookup.js';
import { atLeastOne, errorResponses, idParams, saved } from '../schemas.js';
import { ownershipWarnings, withWarnings } from '../ownership-warnings.js';
import { imageJson } from '../serialize.js';
import { imageListing, listingJson } from '../image-listing.js';
import { ImageInput, imageFieldsFromInput } from '../image-input.js';
import { imageAccessProblem } from '../../sessions/group-rules.js';
import { Image } from '../wire/index.js';

const params = idParams('image id or name');

/** Whether the caller may see the image: administrators all, users those open to them (the rule launch applies). */
export async function imageVisibleTo(deps: AppDeps, me: Principal, image: ImageRecord): Promise<boolean> {
  return me.isAdmin || imageAccessProblem(image, await callerGroups(deps.store, me)) === null;
}

export async function imageRoutes(server: FastifyInstance, deps: AppDeps): Promise<void> {
  const app = server.withTypeProvider<ZodTypeProvider>();
  const now = clockOf(deps);
  const tags = ['images'];
  const listImages = imageListing(deps.store);

  // JSON text is sent (image-listing.ts), which only the untyped reply takes; the schema still documents it
  server.get('/images', {
    config: { access: 'user' },
    schema: { summary: 'List images (users: the enabled images open to them)', tags, response: { 200: z.array(Image), ...errorResponses } },
  }, async (request, reply) => {
    const me = caller(request);
    // JSON text kept per image (image-listing.ts): the response schema is not run again
    const listing = await listImages();
    if (me.isAdmin) return reply.type('application/json').send(listingJson(listing));
    const groups = await callerGroups(deps.store, me);
    return reply.type('application/json').send(listingJson(listing, (i) => imageAccessProblem(i, groups) === null));
  });

  app.post('/images', {
    config: { access: 'admin' },
    schema: {
      summary: 'Create an image', tags,
      body: ImageInput.required({ name: true, docker_image: true }),
      response: { 201: saved(Image), ...errorResponses },
    },
  }, async (request, reply) => {
    const fields = await imageFieldsFromInput(deps.store, request.body, deps.policy, deps.secrets);
    const at = now().toISOString();
    const image: ImageRecord = {
      image_id: randomUUID(), name: request.body.name, friendly_name: request.body.name, docker_image: request.body.docker_image,
      volume_mappings: {}, persistent_profile_path: null, user: null, cores: null, memory: null, enabled: true, groups: [],
      web_port: null, registry_auth_encrypted: null, security: {}, created_at: at, updated_at: at, ...fields,
    };
    await deps.store.transaction(async (tx) => {
      await tx.images.create(image);
      await writeAudit(tx, caller(request), now(), { action: 'image.create', target_type: 'image', target_id: image.image_id, target_name: image.name, after: imageJson(image) });
    });
    const warnings = await ownershipWarnings(deps.store, image.volume_mappings, { kind: 'image', id: image.image_id });
    return reply.status(201).send(withWarnings(imageJson(image), warnings));
  });

  app.get('/images/:id', {
    config: { access: 'user' },
    schema: { summary: 'Show an image (users: only one open to them)', tags, params, response: { 200: Image, ...errorResponses } },
  }, async (request) => {
    const image = await requireImage(deps.store, request.params.id);
    if (!(await imageVisibleTo(deps, caller(request), image))) throw notFound(`image "${request.params.id}"`);
    return imageJson(image);
  });

  app.patch('/images/:id', {
    config: { access: 'admin' },
    schema: {
      summary: 'Update an image (only the given fields change; volume_mappings is replaced whole)', tags, params,
      body: atLeastOne(ImageInput),
      response: { 200: saved(Image), ...errorResponses },
    },
  }, async (request) => {
    const image = await requireImage(deps.store, request.params.id);
    const patch = { ...(await imageFieldsFromInput(deps.store, request.body, deps.policy, deps.secrets)), updated_at: now().toISOString() };
    const updated = { ...image, ...patch };
    await deps.store.transaction(async (tx) => {
      await tx.images.update(image.image_id, patch);
      await writeAudit(tx, caller(request), now(), {
        action: 'image.update', target_type: 'image', target_id: image.image_id, target_name: updated.name, before: imageJson(image), after: imageJson(updated),
      });
    });
    const warnings = patch.volume_mappings === undefined ? [] : await ownershipWarnings(deps.store, updated.volume_mappings, { kind: 'image', id: image.image_id });
    return withWarnings(imageJson(updated), warnings);
  });

  app.delete('/images/:id', {
    config: { access: 'admin' },
    schema: { summary: 'Delete an image', tags, params, response: { 204: z.null(), ...errorResponses } },
  }, async (request, reply) => {
    const image = await requireImage(deps.store, request.params.id);
    await deps.store.transaction(async (tx) => {
      await tx.images.delete(image.image_id);
      await writeAudit(tx, caller(request), now(), { action: 'image.delete', target_type: 'image', target_id: image.image_id, target_name: image.name, before: imageJson(image) });
    });
    return reply.status(204).send(null);
  });
}
