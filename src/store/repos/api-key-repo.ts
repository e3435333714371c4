import type { Selectable, Updateable } from 'kysely';
import { translateConstraints, type ConstraintRules } from '../constraint-errors.js';
import type { ApiKeysTable } from '../schema.js';
import type { ApiKeyPermission, ApiKeyRecord, ApiKeyRepo } from '../types.js';
import { fromJson, isoTimestamp, isoTimestampOrNull, nameKey, toJson } from '../values.js';
import type { RepoContext } from './repo-context.js';
import { hasNul } from '../nul-guard-plugin.js';

function rules(k: Pick<ApiKeyRecord, 'name' | 'api_key_id'>): ConstraintRules {
  return {
    unique: {
      name_key: { field: 'name', message: `an API key named ${JSON.stringify(k.name)} already exists (names are case-insensitive)` },
      key: { field: 'key', message: 'an API key with this public key already exists' },
      api_key_id: { field: 'api_key_id', message: `an API key with id ${k.api_key_id} already exists` },
    },
  };
}

function apiKeyFromRow(r: Selectable<ApiKeysTable>): ApiKeyRecord {
  return {
    api_key_id: r.api_key_id,
    name: r.name,
    key: r.key,
    digest: r.digest,
    permissions: fromJson<ApiKeyPermission[]>(r.permissions, `api_keys.permissions of ${r.api_key_id}`),
    read_only: Boolean(r.read_only),
    created_by: r.created_by,
    created_at: r.created_at,
    expires_at: r.expires_at,
    revoked_at: r.revoked_at,
    last_used_at: r.last_used_at,
  };
}

export function createApiKeyRepo(ctx: RepoContext): ApiKeyRepo {
  const { db, dialect } = ctx;
  const select = () => db.selectFrom('api_keys').selectAll();
  const one = async (column: 'api_key_id' | 'key' | 'name_key', value: string) => {
    if (hasNul(value)) return undefined; // nothing stored can hold U+0000
    const r = await select().where(column, '=', value).executeTakeFirst();
    return r && apiKeyFromRow(r);
  };
  return {
    async create(k) {
      await translateConstraints(dialect, rules(k), () =>
        db.insertInto('api_keys').values({
          api_key_id: k.api_key_id,
          name: k.name,
          name_key: nameKey(k.name),
          key: k.key,
          digest: k.digest,
          permissions: toJson(k.permissions),
          read_only: dialect.bool(k.read_only),
          created_by: k.created_by,
          created_at: isoTimestamp(k.created_at, 'api_key.created_at'),
          expires_at: isoTimestampOrNull(k.expires_at, 'api_key.expires_at'),
          revoked_at: isoTimestampOrNull(k.revoked_at, 'api_key.revoked_at'),
          last_used_at: isoTimestampOrNull(k.last_used_at, 'api_key.last_used_at'),
        }).execute(),
      );
    },
    get: (id) => one('api_key_id', id),
    getByKey: (key) => one('key', key),
    getByName: (name) => one('name_key', nameKey(name)),
    async list() {
      return (await select().orderBy('created_at').orderBy('api_key_id').execute()).map(apiKeyFromRow);
    },
    async update(id, patch) {
      const set: Updateable<ApiKeysTable> = {};
      if (patch.revoked_at !== undefined) set.revoked_at = isoTimestampOrNull(patch.revoked_at, 'api_key.revoked_at');
      if (patch.last_used_at !== undefined) set.last_used_at = isoTimestampOrNull(patch.last_used_at, 'api_key.last_used_at');
      if (Object.keys(set).length === 0) return;
      await db.updateTable('api_keys').set(set).where('api_key_id', '=', id).execute();
    },
    async delete(id) {
      await db.deleteFrom('api_keys').where('api_key_id', '=', id).execute();
    },
  };
}
