// A tiny key/value table for facts about the store itself, first of all the instance id
// that marks this Tether instance's containers on a shared engine (see sessions/reconcile.ts).
import type { Kysely, Migration } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export function metaMigration(): Migration {
  return {
    async up(db: AnyDb) {
      await db.schema
        .createTable('meta')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .execute();
    },
    async down(db: AnyDb) {
      await db.schema.dropTable('meta').ifExists().execute();
    },
  };
}
