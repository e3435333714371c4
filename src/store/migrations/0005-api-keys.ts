// API keys (the credential of the Kasm-compatible API at /api/public) and one-time login
// links (the kasm_url a request_kasm answers). Neither stores a secret: only its SHA-256
// digest, as for API tokens.
import type { Kysely, Migration } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export function apiKeysMigration(): Migration {
  return {
    async up(db: AnyDb) {
      await db.schema
        .createTable('api_keys')
        .addColumn('api_key_id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('name_key', 'text', (c) => c.notNull())
        // the public half (Kasm's api_key), sent with every call to find the key
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('digest', 'text', (c) => c.notNull())
        // JSON array of permission names
        .addColumn('permissions', 'text', (c) => c.notNull())
        .addColumn('read_only', 'boolean', (c) => c.notNull())
        .addColumn('created_by', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text')
        .addColumn('revoked_at', 'text')
        .addColumn('last_used_at', 'text')
        .addUniqueConstraint('api_keys_name_key_unique', ['name_key'])
        .addUniqueConstraint('api_keys_key_unique', ['key'])
        .execute();

      // No foreign keys: a link is checked against the user and the session when it is used.
      await db.schema
        .createTable('login_links')
        .addColumn('link_id', 'text', (c) => c.primaryKey())
        .addColumn('digest', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('session_id', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('used_at', 'text')
        .addUniqueConstraint('login_links_digest_unique', ['digest'])
        .execute();
      await db.schema.createIndex('login_links_expires_idx').on('login_links').column('expires_at').execute();
    },
    async down(db: AnyDb) {
      await db.schema.dropTable('login_links').ifExists().execute();
      await db.schema.dropTable('api_keys').ifExists().execute();
    },
  };
}
