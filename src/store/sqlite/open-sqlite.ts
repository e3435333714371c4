// The embedded default: one better-sqlite3 connection per process, through Kysely's own
// SQLite driver (it hands the connection to one query or transaction at a time), given the
// database with its prepared statements cached (cached-statements.ts). Two changes for a
// file that several processes may open (a running server and `tether admin ...`):
// - transactions start with BEGIN IMMEDIATE: a read-then-write transaction takes the write
//   lock up front and waits for it (busy_timeout), instead of failing with SQLITE_BUSY when
//   it upgrades from reading to writing while another process writes;
// - migrations run inside a transaction (SQLite's DDL is transactional; Kysely assumes it is
//   not), so a crash mid-migration leaves the previous schema, not half of the next one.
// It also tells when the data may have changed (changeMark), so that a reader can keep what
// it read until then.
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import {
  CompiledQuery,
  Kysely,
  SqliteAdapter,
  SqliteDialect,
  SqliteDriver,
  type DatabaseConnection,
  type DialectAdapter,
  type Driver,
  type SqliteDialectConfig,
} from 'kysely';
import type { Database as Schema } from '../schema.js';
import { withCachedStatements } from './cached-statements.js';

/** How long a writer waits for another process's lock before SQLITE_BUSY. */
export const SQLITE_BUSY_TIMEOUT_MS = 5000;

class ImmediateTransactionSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

/** Kysely's SqliteDialect with the two changes above. */
class MultiProcessSqliteDialect extends SqliteDialect {
  constructor(private readonly config: SqliteDialectConfig) {
    super(config);
  }

  override createDriver(): Driver {
    return new ImmediateTransactionSqliteDriver(this.config);
  }

  override createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter();
  }
}

export interface OpenedSqlite {
  db: Kysely<Schema>;
  /**
   * Changes after every row this connection inserts, updates or deletes (total_changes(),
   * counted as each statement runs, rolled back or not) and after every commit of another
   * connection or process (PRAGMA data_version). Read synchronously on the one connection.
   */
  changeMark(): string;
}

export function openSqliteDatabase(path: string): OpenedSqlite {
  const file = resolve(path);
  mkdirSync(dirname(file), { recursive: true });
  let sqlite: Database.Database | undefined;
  try {
    sqlite = new Database(file);
    sqlite.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('foreign_keys = ON');
    // WAL + NORMAL survives application crashes and is much faster than FULL.
    sqlite.pragma('synchronous = NORMAL');
  } catch (err) {
    sqlite?.close();
    throw new Error(`store: cannot open SQLite database ${file} (expected a SQLite file or a path to create one): ${(err as Error).message}`, { cause: err });
  }
  // two statements: half the cost of one reading pragma_data_version as a table
  const ownChanges = sqlite.prepare('select total_changes()').pluck();
  const dataVersion = sqlite.prepare('pragma data_version').pluck();
  return {
    db: new Kysely<Schema>({ dialect: new MultiProcessSqliteDialect({ database: withCachedStatements(sqlite) }) }),
    changeMark: () => `${ownChanges.get() as number}:${dataVersion.get() as number}`,
  };
}
