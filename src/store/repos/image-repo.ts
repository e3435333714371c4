import type { Selectable, Updateable } from 'kysely';
import { translateConstraints, type ConstraintRules } from '../constraint-errors.js';
import type { ImagesTable } from '../schema.js';
import type { ImageRecord, ImageRepo, ImageSecurity } from '../types.js';
import { storedMappings } from '../stored-mappings.js';
import { definedOnly, fromJson, isoTimestamp, nameKey, nowIso, numberOrNull, toJson } from '../values.js';
import type { RepoContext } from './repo-context.js';
import { ReusableQuery } from './reusable-query.js';
import { hasNul } from '../nul-guard-plugin.js';

function rules(name: string | undefined, imageId: string): ConstraintRules {
  return {
    unique: {
      name_key: { field: 'name', message: `an image named ${JSON.stringify(name)} already exists (image names are case-insensitive)` },
      image_id: { field: 'image_id', message: `an image with id ${imageId} already exists` },
    },
  };
}

function imageFromRow(r: Selectable<ImagesTable>): ImageRecord {
  return {
    image_id: r.image_id,
    name: r.name,
    friendly_name: r.friendly_name,
    docker_image: r.docker_image,
    volume_mappings: storedMappings(r.volume_mappings, `images.volume_mappings of ${r.image_id}`),
    persistent_profile_path: r.persistent_profile_path,
    user: r.user,
    cores: numberOrNull(r.cores),
    memory: numberOrNull(r.memory),
    enabled: Boolean(r.enabled),
    groups: fromJson<string[]>(r.groups, `images.groups of ${r.image_id}`),
    web_port: r.web_port,
    registry_auth_encrypted: r.registry_auth_encrypted,
    security: r.security === null ? {} : fromJson<ImageSecurity>(r.security, `images.security of ${r.image_id}`),
    // only when set: records of images without profile settings keep their shape
    ...(r.profile_home !== null ? { profile_home: r.profile_home } : {}),
    ...(r.profile_timeout !== null ? { profile_timeout: numberOrNull(r.profile_timeout) } : {}),
    // only when restricted: an image that runs anywhere keeps its shape
    ...(r.zones !== null ? { zones: fromJson<string[]>(r.zones, `images.zones of ${r.image_id}`) } : {}),
    created_at: r.created_at,
    updated_at: r.updated_at,
  };
}

/** no restriction is stored as null, so it reads back as no `zones` at all */
function zonesColumn(zones: string[] | undefined): string | null {
  return zones && zones.length > 0 ? toJson(zones) : null;
}

type ImagePatch = Partial<Omit<ImageRecord, 'image_id' | 'created_at'>>;

function columnsOf(p: ImagePatch, bool: (b: boolean) => boolean | number): Updateable<ImagesTable> {
  const set: Updateable<ImagesTable> = {};
  if (p.name !== undefined) Object.assign(set, { name: p.name, name_key: nameKey(p.name) });
  if (p.friendly_name !== undefined) set.friendly_name = p.friendly_name;
  if (p.docker_image !== undefined) set.docker_image = p.docker_image;
  if (p.volume_mappings !== undefined) set.volume_mappings = toJson(p.volume_mappings);
  if (p.persistent_profile_path !== undefined) set.persistent_profile_path = p.persistent_profile_path;
  if (p.user !== undefined) set.user = p.user;
  if (p.cores !== undefined) set.cores = p.cores;
  if (p.memory !== undefined) set.memory = p.memory;
  if (p.enabled !== undefined) set.enabled = bool(p.enabled);
  if (p.groups !== undefined) set.groups = toJson(p.groups);
  if (p.web_port !== undefined) set.web_port = p.web_port;
  if (p.registry_auth_encrypted !== undefined) set.registry_auth_encrypted = p.registry_auth_encrypted;
  if (p.security !== undefined) set.security = toJson(p.security);
  if (p.profile_home !== undefined) set.profile_home = p.profile_home;
  if (p.profile_timeout !== undefined) set.profile_timeout = p.profile_timeout;
  if (p.zones !== undefined) set.zones = zonesColumn(p.zones);
  return set;
}

export function createImageRepo(ctx: RepoContext): ImageRepo {
  const { db, dialect } = ctx;
  // The reads every API request may make: compiled once (see reusable-query.ts).
  const byId = new ReusableQuery(db, 1, (q, id: string) => q.selectFrom('images').selectAll().where('image_id', '=', id));
  const byNameKey = new ReusableQuery(db, 1, (q, key: string) => q.selectFrom('images').selectAll().where('name_key', '=', key));
  const all = new ReusableQuery(db, 0, (q) => q.selectFrom('images').selectAll().orderBy('name_key').orderBy('image_id'));
  return {
    async create(i) {
      await translateConstraints(dialect, rules(i.name, i.image_id), () =>
        db
          .insertInto('images')
          .values({
            image_id: i.image_id,
            name: i.name,
            name_key: nameKey(i.name),
            friendly_name: i.friendly_name,
            docker_image: i.docker_image,
            volume_mappings: toJson(i.volume_mappings),
            persistent_profile_path: i.persistent_profile_path,
            user: i.user,
            cores: i.cores,
            memory: i.memory,
            enabled: dialect.bool(i.enabled),
            groups: toJson(i.groups),
            web_port: i.web_port,
            registry_auth_encrypted: i.registry_auth_encrypted,
            security: toJson(i.security ?? {}),
            profile_home: i.profile_home ?? null,
            profile_timeout: i.profile_timeout ?? null,
            zones: zonesColumn(i.zones),
            created_at: isoTimestamp(i.created_at, 'image.created_at'),
            updated_at: isoTimestamp(i.updated_at, 'image.updated_at'),
          })
          .execute(),
      );
    },
    async get(imageId) {
      if (hasNul(imageId)) return undefined; // nothing stored can hold U+0000
      const [r] = await byId.execute(imageId);
      return r && imageFromRow(r);
    },
    async getByName(name) {
      if (hasNul(name)) return undefined; // nothing stored can hold U+0000
      const [r] = await byNameKey.execute(nameKey(name));
      return r && imageFromRow(r);
    },
    async list() {
      return (await all.execute()).map(imageFromRow);
    },
    async update(imageId, patch) {
      const p = definedOnly(patch);
      const set = columnsOf(p, dialect.bool);
      set.updated_at = isoTimestamp(p.updated_at ?? nowIso(), 'image.updated_at');
      await translateConstraints(dialect, rules(p.name, imageId), () =>
        db.updateTable('images').set(set).where('image_id', '=', imageId).execute(),
      );
    },
    async delete(imageId) {
      await db.deleteFrom('images').where('image_id', '=', imageId).execute();
    },
  };
}
