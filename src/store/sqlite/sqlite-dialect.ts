import type { ConstraintViolation, StoreDialect } from '../dialect.js';

interface SqliteErrorLike {
  code?: unknown;
  message?: unknown;
}

// better-sqlite3 reports e.g. code SQLITE_CONSTRAINT_UNIQUE with the message
// "UNIQUE constraint failed: groups.priority"; foreign keys carry no column name.
function classifySqliteError(err: unknown): ConstraintViolation | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const { code, message } = err as SqliteErrorLike;
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    const m = /constraint failed: ([A-Za-z_]+)\.([A-Za-z_]+)/.exec(String(message));
    return { kind: 'unique', table: m?.[1], column: m?.[2] };
  }
  if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') return { kind: 'foreign_key' };
  return undefined;
}

export const sqliteDialect: StoreDialect = {
  name: 'sqlite',
  bool: (value) => (value ? 1 : 0),
  classifyError: classifySqliteError,
};
