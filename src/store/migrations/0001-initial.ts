// The first schema: users, groups (+ the two system groups), memberships, images, tokens,
// audit, sessions. Written once with Kysely's schema builder for both dialects; the only
// fork is the audit sequence (SQLite AUTOINCREMENT, PostgreSQL identity).
import { sql, type Kysely, type Migration } from 'kysely';
import type { StoreDialect } from '../dialect.js';
import {
  ADMINISTRATORS_GROUP_ID,
  ADMINISTRATORS_GROUP_NAME,
  ADMINISTRATORS_PRIORITY,
  ALL_USERS_GROUP_ID,
  ALL_USERS_GROUP_NAME,
  ALL_USERS_PRIORITY,
  defaultGroupSettings,
} from '../system-groups.js';

const SESSION_STATES = ['requested', 'preparing', 'starting', 'running', 'stopping', 'destroyed', 'failed'];

// Migrations must not depend on the app's current types: they run against the schema of their time.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

async function createTables(db: AnyDb, dialect: StoreDialect): Promise<void> {
  await db.schema
    .createTable('users')
    .addColumn('user_id', 'text', (c) => c.primaryKey())
    .addColumn('username', 'text', (c) => c.notNull())
    .addColumn('username_key', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('disabled', 'boolean', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('users_username_key_unique', ['username_key'])
    .execute();

  await db.schema
    .createTable('groups')
    .addColumn('group_id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('name_key', 'text', (c) => c.notNull())
    .addColumn('priority', 'integer', (c) => c.notNull())
    .addColumn('system', 'boolean', (c) => c.notNull())
    .addColumn('settings', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('groups_name_key_unique', ['name_key'])
    .addUniqueConstraint('groups_priority_unique', ['priority'])
    .execute();

  await db.schema
    .createTable('group_members')
    .addColumn('group_id', 'text', (c) => c.notNull().references('groups.group_id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.user_id').onDelete('cascade'))
    .addPrimaryKeyConstraint('group_members_pk', ['group_id', 'user_id'])
    .execute();
  await db.schema.createIndex('group_members_user_idx').on('group_members').column('user_id').execute();

  await db.schema
    .createTable('images')
    .addColumn('image_id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('name_key', 'text', (c) => c.notNull())
    .addColumn('friendly_name', 'text', (c) => c.notNull())
    .addColumn('docker_image', 'text', (c) => c.notNull())
    .addColumn('volume_mappings', 'text', (c) => c.notNull())
    .addColumn('persistent_profile_path', 'text')
    .addColumn('user', 'text')
    .addColumn('cores', 'double precision')
    .addColumn('memory', 'bigint')
    .addColumn('enabled', 'boolean', (c) => c.notNull())
    .addColumn('groups', 'text', (c) => c.notNull())
    .addColumn('web_port', 'integer')
    .addColumn('registry_auth_encrypted', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('images_name_key_unique', ['name_key'])
    .execute();

  await db.schema
    .createTable('tokens')
    .addColumn('token_id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.user_id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('digest', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text')
    .addColumn('revoked_at', 'text')
    .addColumn('last_used_at', 'text')
    .addUniqueConstraint('tokens_digest_unique', ['digest'])
    .addCheckConstraint('tokens_kind_check', sql`kind in ('api', 'login')`)
    .execute();
  await db.schema.createIndex('tokens_user_idx').on('tokens').column('user_id').execute();

  // No foreign key to users: the audit log outlives the users it mentions.
  await db.schema
    .createTable('audit')
    .addColumn('seq', 'integer', (c) =>
      dialect.name === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey().generatedAlwaysAsIdentity(),
    )
    .addColumn('audit_id', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('actor_name', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('target_type', 'text', (c) => c.notNull())
    .addColumn('target_id', 'text')
    .addColumn('target_name', 'text')
    .addColumn('before', 'text')
    .addColumn('after', 'text')
    .addUniqueConstraint('audit_audit_id_unique', ['audit_id'])
    .execute();
  await db.schema.createIndex('audit_at_idx').on('audit').columns(['at', 'seq']).execute();
  await db.schema.createIndex('audit_target_idx').on('audit').columns(['target_type', 'target_id']).execute();

  // No foreign keys to users or images either: a session's record survives their deletion.
  const states = sql.join(SESSION_STATES.map((s) => sql.lit(s)));
  await db.schema
    .createTable('sessions')
    .addColumn('session_id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('image_id', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('container_id', 'text')
    .addColumn('host', 'text')
    .addColumn('mounts', 'text')
    .addColumn('warnings', 'text', (c) => c.notNull())
    .addColumn('error', 'text')
    .addColumn('mappings_digest', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text')
    .addCheckConstraint('sessions_state_check', sql`state in (${states})`)
    .execute();
  await db.schema.createIndex('sessions_user_idx').on('sessions').column('user_id').execute();
  await db.schema.createIndex('sessions_state_idx').on('sessions').column('state').execute();
}

async function seedSystemGroups(db: AnyDb, dialect: StoreDialect): Promise<void> {
  const now = new Date().toISOString();
  const settings = JSON.stringify(defaultGroupSettings());
  const row = (group_id: string, name: string, priority: number) => ({
    group_id,
    name,
    name_key: name.toLowerCase(),
    priority,
    system: dialect.bool(true),
    settings,
    created_at: now,
    updated_at: now,
  });
  await db
    .insertInto('groups')
    .values([
      row(ADMINISTRATORS_GROUP_ID, ADMINISTRATORS_GROUP_NAME, ADMINISTRATORS_PRIORITY),
      row(ALL_USERS_GROUP_ID, ALL_USERS_GROUP_NAME, ALL_USERS_PRIORITY),
    ])
    .execute();
}

export function initialMigration(dialect: StoreDialect): Migration {
  return {
    async up(db) {
      await createTables(db, dialect);
      await seedSystemGroups(db, dialect);
    },
    async down(db) {
      for (const t of ['sessions', 'audit', 'tokens', 'images', 'group_members', 'groups', 'users']) {
        await db.schema.dropTable(t).ifExists().execute();
      }
    },
  };
}
