// Runs pending migrations; Kysely's Migrator takes a lock so two Tether instances starting
// on the same database do not race.
import { Migrator, type Kysely } from 'kysely';
import type { StoreDialect } from './dialect.js';
import type { Database } from './schema.js';
import { migrationProvider } from './migrations/index.js';

export async function migrateToLatest(db: Kysely<Database>, dialect: StoreDialect): Promise<string[]> {
  const migrator = new Migrator({ db, provider: migrationProvider(dialect) });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error !== undefined) {
    const which = failed ? `migration ${failed.migrationName}` : 'the migrator';
    throw new Error(`store: ${which} failed on ${dialect.name}: ${(error as Error).message ?? String(error)}`, { cause: error });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
