// The Store over any Kysely instance: the pool for the top-level store, a transaction for
// the store handed to transaction(fn). The repos are the same code in both cases.
import type { Kysely } from 'kysely';
import type { StoreDialect } from './dialect.js';
import { createAuditRepo } from './repos/audit-repo.js';
import { createApiKeyRepo } from './repos/api-key-repo.js';
import { createLoginLinkRepo } from './repos/login-link-repo.js';
import { createProfileLockRepo } from './repos/profile-lock-repo.js';
import { createGroupRepo } from './repos/group-repo.js';
import { createImageRepo } from './repos/image-repo.js';
import { createMetaRepo, INSTANCE_ID_KEY } from './repos/meta-repo.js';
import { randomUUID } from 'node:crypto';
import type { RepoContext } from './repos/repo-context.js';
import { createSessionRepo } from './repos/session-repo.js';
import { createTokenRepo } from './repos/token-repo.js';
import { createUserRepo } from './repos/user-repo.js';
import type { Database } from './schema.js';
import type { Store } from './types.js';

/** What only the top-level store has: `close` releases the connection(s); `changeMark` as Store.changeMark (SQLite). */
export interface TopLevel {
  close: () => Promise<void>;
  changeMark: (() => string) | undefined;
}

export function createKyselyStore(db: Kysely<Database>, dialect: StoreDialect, top?: TopLevel): Store {
  const ctx: RepoContext = { db, dialect };
  const meta = createMetaRepo(ctx);
  // the id never changes once stored: read it once per store object
  let instanceId: Promise<string> | undefined;
  const store: Store = {
    dialect: dialect.name,
    users: createUserRepo(ctx),
    groups: createGroupRepo(ctx),
    images: createImageRepo(ctx),
    tokens: createTokenRepo(ctx),
    audit: createAuditRepo(ctx),
    sessions: createSessionRepo(ctx),
    meta,
    apiKeys: createApiKeyRepo(ctx),
    loginLinks: createLoginLinkRepo(ctx),
    profileLocks: createProfileLockRepo(ctx),
    instanceId() {
      if (instanceId === undefined) {
        const reading = meta.setIfAbsent(INSTANCE_ID_KEY, randomUUID());
        // A failed read is not kept: the next call tries again.
        reading.catch(() => { if (instanceId === reading) instanceId = undefined; });
        instanceId = reading;
      }
      return instanceId;
    },
    async transaction(fn) {
      // Nested transaction(fn) joins the outer one: Kysely has no nested transactions.
      if (db.isTransaction) return fn(store);
      return db.transaction().execute((trx) => fn(createKyselyStore(trx, dialect)));
    },
    // A transaction-bound store has none: its own writes are not committed yet.
    changeMark: () => top?.changeMark?.(),
    async close() {
      if (!top) throw new Error('store: close() called on a transaction-bound store; close the store that opened it');
      await top.close();
    },
  };
  return store;
}
