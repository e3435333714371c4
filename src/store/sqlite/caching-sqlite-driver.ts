// Kysely's SQLite driver, rewritten (its connection class is private) with three changes:
// - statements come from a bounded cache keyed by SQL text (see statement-cache.ts);
// - transactions start with BEGIN IMMEDIATE: the write lock is taken up front and waited for
//   (busy_timeout), instead of a deferred transaction failing with SQLITE_BUSY when it tries
//   to upgrade from reading to writing while another process writes;
// - close() drops the cached statements before closing the database.
// One better-sqlite3 connection per process; a mutex hands it to one query or transaction at a time.
import type Database from 'better-sqlite3';
import {
  CompiledQuery,
  createQueryId,
  IdentifierNode,
  RawNode,
  SelectQueryNode,
  type DatabaseConnection,
  type Driver,
  type QueryCompiler,
  type QueryResult,
} from 'kysely';
import { StatementCache } from './statement-cache.js';

export interface CachingSqliteDriverConfig {
  database: Database.Database;
  /** how many prepared statements to keep (LRU); default 200 */
  statementCacheSize?: number;
}

class CachingSqliteConnection implements DatabaseConnection {
  constructor(
    private readonly db: Database.Database,
    private readonly statements: StatementCache,
  ) {}

  executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    const { sql, parameters } = compiledQuery;
    const stmt = this.statements.prepare(sql);
    if (stmt.reader) return Promise.resolve({ rows: stmt.all(parameters) as R[] });
    const { changes, lastInsertRowid } = stmt.run(parameters);
    return Promise.resolve({
      numAffectedRows: changes !== undefined && changes !== null ? BigInt(changes) : undefined,
      insertId: lastInsertRowid !== undefined && lastInsertRowid !== null ? BigInt(lastInsertRowid) : undefined,
      rows: [],
    });
  }

  async *streamQuery<R>(compiledQuery: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    const { sql, parameters, query } = compiledQuery;
    if (!SelectQueryNode.is(query)) {
      throw new Error(`store: SQLite can stream only SELECT queries, got ${query.kind}`);
    }
    // Not from the cache: a statement that is being iterated cannot run again until it is done,
    // and the consumer of a stream decides when that is.
    for (const row of this.db.prepare(sql).iterate(parameters)) yield { rows: [row as R] };
  }
}

/** `SAVEPOINT name` and friends, the name quoted as an identifier (as Kysely's own driver does). */
function savepointCommand(command: string, name: string): RawNode {
  return RawNode.createWithChildren([RawNode.createWithSql(`${command} `), IdentifierNode.create(name)]);
}

/** Waiters queue in order; unlock hands the connection to the next one. */
class ConnectionMutex {
  #held: Promise<void> | undefined;
  #release: (() => void) | undefined;

  async lock(): Promise<void> {
    while (this.#held) await this.#held;
    this.#held = new Promise((resolve) => {
      this.#release = resolve;
    });
  }

  unlock(): void {
    const release = this.#release;
    this.#held = undefined;
    this.#release = undefined;
    release?.();
  }
}

export class CachingSqliteDriver implements Driver {
  readonly #db: Database.Database;
  readonly #statements: StatementCache;
  readonly #connection: CachingSqliteConnection;
  readonly #mutex = new ConnectionMutex();

  constructor(config: CachingSqliteDriverConfig) {
    this.#db = config.database;
    this.#statements = new StatementCache(config.database, config.statementCacheSize);
    this.#connection = new CachingSqliteConnection(this.#db, this.#statements);
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    await this.#mutex.lock();
    return this.#connection;
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  async savepoint(connection: DatabaseConnection, name: string, compileQuery: QueryCompiler['compileQuery']): Promise<void> {
    await connection.executeQuery(compileQuery(savepointCommand('savepoint', name), createQueryId()));
  }

  async rollbackToSavepoint(connection: DatabaseConnection, name: string, compileQuery: QueryCompiler['compileQuery']): Promise<void> {
    await connection.executeQuery(compileQuery(savepointCommand('rollback to', name), createQueryId()));
  }

  async releaseSavepoint(connection: DatabaseConnection, name: string, compileQuery: QueryCompiler['compileQuery']): Promise<void> {
    await connection.executeQuery(compileQuery(savepointCommand('release', name), createQueryId()));
  }

  async releaseConnection(): Promise<void> {
    this.#mutex.unlock();
  }

  async destroy(): Promise<void> {
    this.#statements.clear();
    this.#db.close();
  }
}
