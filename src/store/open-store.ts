// Opens the store named by a URL, migrates it, and hands back the Store interface.
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { StoreDialect } from './dialect.js';
import { createKyselyStore } from './kysely-store.js';
import { migrateToLatest } from './migrate.js';
import { NulGuardPlugin } from './nul-guard-plugin.js';
import { openPostgresDatabase, redactPostgresUrl } from './postgres/open-postgres.js';
import { postgresDialect } from './postgres/postgres-dialect.js';
import type { Database } from './schema.js';
import { openSqliteDatabase } from './sqlite/open-sqlite.js';
import { sqliteDialect } from './sqlite/sqlite-dialect.js';
import type { Store } from './types.js';

export const SQLITE_FILE_NAME = 'tether.db';

/** The embedded default: `<dataDir>/tether.db`. */
export function defaultDatabaseUrl(dataDir: string): string {
  return join(dataDir, SQLITE_FILE_NAME);
}

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url);
}

export interface OpenStoreOptions {
  /** aborts the wait for the database (connect, migration lock) */
  signal?: AbortSignal;
}

/** Rejects as soon as `signal` aborts; otherwise settles with `work`. */
function abortable<T>(work: Promise<T>, signal: AbortSignal | undefined, what: string): Promise<T> {
  if (!signal) return work;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Error(`store: ${what} aborted`, { cause: signal.reason }));
    // Handlers first, so a failure of `work` after an abort is never an unhandled rejection.
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** `postgres://` / `postgresql://` → PostgreSQL; anything else is a SQLite file path. */
export async function openStore(url: string, options: OpenStoreOptions = {}): Promise<Store> {
  const postgres = isPostgresUrl(url);
  const dialect: StoreDialect = postgres ? postgresDialect : sqliteDialect;
  const where = postgres ? redactPostgresUrl(url) : url;
  if (options.signal?.aborted) {
    throw new Error(`store: opening ${dialect.name} database ${where} aborted before it started`, { cause: options.signal.reason });
  }
  // PostgreSQL: another server or `tether admin` may commit unseen, so no change mark.
  const opened = postgres ? { db: openPostgresDatabase(url), changeMark: undefined } : openSqliteDatabase(url);
  const db: Kysely<Database> = opened.db.withPlugin(new NulGuardPlugin());
  try {
    await abortable(migrateToLatest(db, dialect), options.signal, `opening ${dialect.name} database ${where}`);
  } catch (err) {
    // Not awaited: after an abort a connection may still be stuck waiting; it is released when that wait ends.
    void db.destroy().catch(() => {});
    throw new Error(`store: cannot open ${dialect.name} database ${where}: ${(err as Error).message}`, { cause: err });
  }
  return createKyselyStore(db, dialect, { close: () => db.destroy(), changeMark: opened.changeMark });
}
