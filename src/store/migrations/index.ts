// The in-code migration list. Names sort in run order; never rename or edit a shipped one,
// add a new file instead.
import type { Migration, MigrationProvider } from 'kysely';
import type { StoreDialect } from '../dialect.js';
import { initialMigration } from './0001-initial.js';
import { metaMigration } from './0002-meta.js';
import { imageSecurityMigration } from './0003-image-security.js';
import { retiredUsernamesMigration } from './0004-retired-usernames.js';
import { apiKeysMigration } from './0005-api-keys.js';
import { persistentProfilesMigration } from './0006-persistent-profiles.js';
import { sessionMountsBasisMigration } from './0007-session-mounts-basis.js';
import { sessionPlacementMigration } from './0008-session-placement.js';

export function migrationProvider(dialect: StoreDialect): MigrationProvider {
  return {
    async getMigrations(): Promise<Record<string, Migration>> {
      return {
        '0001-initial': initialMigration(dialect),
        '0002-meta': metaMigration(),
        '0003-image-security': imageSecurityMigration(),
        '0004-retired-usernames': retiredUsernamesMigration(),
        '0005-api-keys': apiKeysMigration(),
        '0006-persistent-profiles': persistentProfilesMigration(),
        '0007-session-mounts-basis': sessionMountsBasisMigration(),
        '0008-session-placement': sessionPlacementMigration(dialect),
      };
    },
  };
}
