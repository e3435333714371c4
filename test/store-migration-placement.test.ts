// Migration 0008 on a database that has data: sessions and images written under 0007 come
// through unchanged (SQLite rebuilds the sessions table to widen its state check), the new
// state `lost` is accepted afterwards, and an unknown state is still refused. Both databases.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Migrator, type Kysely, type Migration } from 'kysely';
import { freshDatabaseUrl, storeKinds } from './helpers/databases.js';
import { migrationProvider } from '../src/store/migrations/index.js';
import { openSqliteDatabase } from '../src/store/sqlite/open-sqlite.js';
import { openPostgresDatabase } from '../src/store/postgres/open-postgres.js';
import { sqliteDialect } from '../src/store/sqlite/sqlite-dialect.js';
import { postgresDialect } from '../src/store/postgres/postgres-dialect.js';
import { openStore } from '../src/store/open-store.js';

for (const kind of storeKinds) {
  test(`${kind}: sessions and images from before migration 0008 survive it; lost is then a state`, async () => {
    const fresh = await freshDatabaseUrl(kind);
    const dialect = kind === 'postgres' ? postgresDialect : sqliteDialect;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const db = (kind === 'postgres' ? openPostgresDatabase(fresh.url) : openSqliteDatabase(fresh.url).db) as Kysely<any>;
    try {
      const all = await migrationProvider(dialect).getMigrations();
      const upTo0007: Record<string, Migration> = Object.fromEntries(Object.entries(all).filter(([name]) => name < '0008'));
      const { error } = await new Migrator({ db, provider: { getMigrations: async () => upTo0007 } }).migrateToLatest();
      assert.equal(error, undefined);
      const at = '2026-01-02T03:04:05.000Z';
      await db.insertInto('sessions').values({
        session_id: 's-old', user_id: 'u', image_id: 'i', state: 'running', container_id: 'c1', host: null, mounts: null,
        warnings: '[]', error: null, mappings_digest: 'd', mounts_basis: null, created_at: at, updated_at: at, expires_at: null,
      }).execute();
      await db.insertInto('images').values({
        image_id: 'i', name: 'old', name_key: 'old', friendly_name: 'Old', docker_image: 'busybox', volume_mappings: '{}', persistent_profile_path: null,
        user: null, cores: null, memory: null, enabled: dialect.bool(true), groups: '[]', web_port: null, registry_auth_encrypted: null,
        security: null, profile_home: null, profile_timeout: null, created_at: at, updated_at: at,
      }).execute();
    } finally {
      await db.destroy();
    }
    const store = await openStore(fresh.url);
    try {
      const s = await store.sessions.get('s-old');
      assert.deepEqual([s?.state, s?.container_id, s?.mappings_digest, s?.node, s?.placement], ['running', 'c1', 'd', undefined, undefined]);
      assert.equal((await store.images.get('i'))?.zones, undefined, 'an old image runs anywhere');
      assert.equal(await store.sessions.transition('s-old', ['running'], { state: 'lost' }), true);
      assert.equal((await store.sessions.get('s-old'))?.state, 'lost');
      await assert.rejects(store.sessions.update('s-old', { state: 'vanishing' as 'lost' }), 'the state check still refuses an unknown state');
      assert.equal((await store.sessions.list({ states: ['running'] })).length, 0, 'the state index answers');
    } finally {
      await store.close();
      await fresh.cleanup();
    }
  });
}
