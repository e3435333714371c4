// better-sqlite3 compiles SQL text into a statement on every prepare(), and Kysely's SQLite
// driver prepares on every query: measured, that was a third of the CPU of an authenticated
// API read (bench/api.bench.ts). Kysely writes the same SQL text for the same query shape
// (values are bound parameters), so this hands Kysely's own driver the database with
// prepare() answered from a bounded cache keyed by SQL text. SQLite re-prepares a cached
// statement by itself after a schema change. A statement cannot run while another caller
// iterates it; that cannot happen here, because the driver holds its single connection
// for one query (or stream, or transaction) at a time.
import type Database from 'better-sqlite3';
import type { SqliteDatabase } from 'kysely';
import { LRUCache } from 'lru-cache';

export const STATEMENT_CACHE_SIZE = 200;

export function withCachedStatements(db: Database.Database, size = STATEMENT_CACHE_SIZE): SqliteDatabase {
  const statements = new LRUCache<string, Database.Statement>({ max: size });
  return {
    prepare(sql) {
      let stmt = statements.get(sql);
      if (stmt === undefined) {
        stmt = db.prepare(sql);
        statements.set(sql, stmt);
      }
      return stmt;
    },
    close() {
      statements.clear();
      db.close();
    },
  };
}
