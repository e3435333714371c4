// Persistent profiles: images gain where the profile is mounted (`profile_home`, null = the
// default /home/user) and how long its preparation may take (`profile_timeout`, seconds,
// null = 10); `profile_locks` holds one row per profile folder mounted read-write by a live
// session, so a second writer is refused by the database itself (across restarts and servers).
import type { Kysely, Migration } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export function persistentProfilesMigration(): Migration {
  return {
    async up(db: AnyDb) {
      await db.schema.alterTable('images').addColumn('profile_home', 'text').execute();
      await db.schema.alterTable('images').addColumn('profile_timeout', 'double precision').execute();
      // No foreign keys: a lock outlives nothing (released when its session ends) and is
      // checked against the session's state whenever someone else asks for the profile.
      await db.schema
        .createTable('profile_locks')
        // the expanded profile path: the unique key that makes the second writer fail
        .addColumn('profile_path', 'text', (c) => c.primaryKey())
        .addColumn('session_id', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('image_id', 'text', (c) => c.notNull())
        .addColumn('acquired_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('profile_locks_session_idx').on('profile_locks').column('session_id').execute();
    },
    async down(db: AnyDb) {
      await db.schema.dropTable('profile_locks').ifExists().execute();
      await db.schema.alterTable('images').dropColumn('profile_timeout').execute();
      await db.schema.alterTable('images').dropColumn('profile_home').execute();
    },
  };
}
