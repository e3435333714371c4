// Images gain `security`: an administrator's overrides of how their sessions are confined
// (network, capabilities, no-new-privileges, pids limit). Existing rows keep null = defaults.
import type { Kysely, Migration } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export function imageSecurityMigration(): Migration {
  return {
    async up(db: AnyDb) {
      await db.schema.alterTable('images').addColumn('security', 'text').execute();
    },
    async down(db: AnyDb) {
      await db.schema.alterTable('images').dropColumn('security').execute();
    },
  };
}
