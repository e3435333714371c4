// Kysely's SQLite dialect with two changes for a database file that several processes may
// open (a running server and `tether admin reset-password`, say):
// - transactions start with BEGIN IMMEDIATE: the write lock is taken up front and waited for
//   (busy_timeout), instead of a deferred transaction failing with SQLITE_BUSY when it tries
//   to upgrade from reading to writing while another process writes;
// - migrations run inside a transaction (SQLite's DDL is transactional; Kysely assumes it is
//   not), so a crash mid-migration leaves the previous schema, not half of the next one.
import {
  CompiledQuery,
  SqliteAdapter,
  SqliteDialect,
  SqliteDriver,
  type DatabaseConnection,
  type DialectAdapter,
  type Driver,
  type SqliteDialectConfig,
} from 'kysely';

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

export class TetherSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;

  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }

  override createDriver(): Driver {
    return new ImmediateTransactionSqliteDriver(this.#config);
  }

  override createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter();
  }
}
