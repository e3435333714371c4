// The embedded default: one better-sqlite3 connection per process (Kysely serializes
// queries on it; a transaction holds it until it ends).
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely } from 'kysely';
import type { Database as Schema } from '../schema.js';
import { TetherSqliteDialect } from './tether-sqlite-dialect.js';

/** How long a writer waits for another process's lock before SQLITE_BUSY. */
export const SQLITE_BUSY_TIMEOUT_MS = 5000;

export function openSqliteDatabase(path: string): Kysely<Schema> {
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
  return new Kysely<Schema>({ dialect: new TetherSqliteDialect({ database: sqlite }) });
}
