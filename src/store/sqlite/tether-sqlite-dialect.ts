// Kysely's SQLite dialect for a database file that several processes may open (a running
// server and `tether admin reset-password`, say), with a faster driver:
// - the driver (caching-sqlite-driver.ts) caches prepared statements and starts transactions
//   with BEGIN IMMEDIATE, so a read-then-write transaction waits for the write lock up front
//   (busy_timeout) instead of failing with SQLITE_BUSY when it upgrades;
// - migrations run inside a transaction (SQLite's DDL is transactional; Kysely assumes it is
//   not), so a crash mid-migration leaves the previous schema, not half of the next one.
import type Database from 'better-sqlite3';
import {
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  type QueryCompiler,
} from 'kysely';
import { CachingSqliteDriver } from './caching-sqlite-driver.js';

class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

export interface TetherSqliteDialectConfig {
  database: Database.Database;
  /** prepared statements kept per connection (LRU); default 200 */
  statementCacheSize?: number;
}

export class TetherSqliteDialect implements Dialect {
  constructor(private readonly config: TetherSqliteDialectConfig) {}

  createDriver(): Driver {
    return new CachingSqliteDriver(this.config);
  }

  createQueryCompiler(): QueryCompiler {
    return new SqliteQueryCompiler();
  }

  createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter();
  }

  createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new SqliteIntrospector(db);
  }
}
