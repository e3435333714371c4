// Sessions record what their effective mounts were computed from (the image's and each
// group's document digests, the user's groups, the profile), so drift is a comparison rather
// than a new merge. Null for sessions launched before: their drift is computed the old way.
import type { Kysely, Migration } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export function sessionMountsBasisMigration(): Migration {
  return {
    async up(db: AnyDb) {
      await db.schema.alterTable('sessions').addColumn('mounts_basis', 'text').execute();
    },
    async down(db: AnyDb) {
      await db.schema.alterTable('sessions').dropColumn('mounts_basis').execute();
    },
  };
}
