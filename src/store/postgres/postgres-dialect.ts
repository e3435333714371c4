import type { ConstraintViolation, StoreDialect } from '../dialect.js';

interface PgErrorLike {
  code?: unknown;
  table?: unknown;
  detail?: unknown;
}

// pg reports SQLSTATE 23505 (unique) / 23503 (foreign key) with `table` and a detail like
// 'Key (priority)=(10) already exists.' or 'Key (user_id)=(…) is not present in table "users".'
function classifyPgError(err: unknown): ConstraintViolation | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const { code, table, detail } = err as PgErrorLike;
  const kind = code === '23505' ? 'unique' : code === '23503' ? 'foreign_key' : undefined;
  if (kind === undefined) return undefined;
  const m = /^Key \(([A-Za-z_]+)/.exec(typeof detail === 'string' ? detail : '');
  return { kind, table: typeof table === 'string' ? table : undefined, column: m?.[1] };
}

export const postgresDialect: StoreDialect = {
  name: 'postgres',
  bool: (value) => value,
  classifyError: classifyPgError,
};
