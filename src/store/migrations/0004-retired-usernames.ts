// Usernames no user holds any more (deleted, or renamed away). `{username}` host folders
// outlive their user, so a new user given such a name would inherit them: the store keeps
// every retired name (case-insensitive key) and refuses it to a new holder unless the caller
// says the reuse is intended. Names retired before this table existed are taken from the
// audit log's user.delete entries.
import type { Kysely, Migration } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export function retiredUsernamesMigration(): Migration {
  return {
    async up(db: AnyDb) {
      await db.schema
        .createTable('retired_usernames')
        .addColumn('username_key', 'text', (c) => c.primaryKey())
        .addColumn('username', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('retired_at', 'text', (c) => c.notNull())
        .execute();
      const deleted = await db.selectFrom('audit').select(['target_id', 'target_name', 'at'])
        .where('action', '=', 'user.delete').where('target_name', 'is not', null).where('target_id', 'is not', null)
        .orderBy('at').execute() as Array<{ target_id: string; target_name: string; at: string }>;
      for (const row of deleted) {
        const values = { username_key: row.target_name.toLowerCase(), username: row.target_name, user_id: row.target_id, retired_at: row.at };
        await db.insertInto('retired_usernames').values(values)
          .onConflict((oc) => oc.column('username_key').doUpdateSet({ username: values.username, user_id: values.user_id, retired_at: values.retired_at }))
          .execute();
      }
    },
    async down(db: AnyDb) {
      await db.schema.dropTable('retired_usernames').ifExists().execute();
    },
  };
}
