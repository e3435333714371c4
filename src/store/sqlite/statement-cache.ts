// better-sqlite3 compiles SQL text into a statement on every prepare(); Kysely's SQLite
// driver prepares on every query, which cost about half the CPU of a simple API read.
// The SQL Kysely writes for a given query builder is the same text each time (values are
// bound parameters), so prepared statements are kept here, keyed by SQL text, least recently
// used first out. SQLite re-prepares a cached statement by itself after a schema change.
import type Database from 'better-sqlite3';

export const DEFAULT_STATEMENT_CACHE_SIZE = 200;

export class StatementCache {
  // A Map iterates in insertion order; a hit is moved to the end, so the first key is the LRU.
  readonly #statements = new Map<string, Database.Statement>();

  constructor(
    private readonly db: Database.Database,
    private readonly capacity: number = DEFAULT_STATEMENT_CACHE_SIZE,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`store: statement cache capacity must be a positive integer, got ${capacity}`);
    }
  }

  get size(): number {
    return this.#statements.size;
  }

  /** The prepared statement for `sql`, compiled at most once while it stays cached. */
  prepare(sql: string): Database.Statement {
    const cached = this.#statements.get(sql);
    if (cached !== undefined) {
      this.#statements.delete(sql);
      this.#statements.set(sql, cached);
      return cached;
    }
    const stmt = this.db.prepare(sql);
    this.#statements.set(sql, stmt);
    if (this.#statements.size > this.capacity) {
      const oldest = this.#statements.keys().next().value as string;
      this.#statements.delete(oldest);
    }
    return stmt;
  }

  clear(): void {
    this.#statements.clear();
  }
}
