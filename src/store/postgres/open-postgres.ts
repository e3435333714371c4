// PostgreSQL through a pg Pool.
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database as Schema } from '../schema.js';

export const POSTGRES_POOL_SIZE = 10;
/** A server that accepts TCP but never answers must not hang the caller forever. */
export const POSTGRES_CONNECT_TIMEOUT_MS = 10_000;

export function openPostgresDatabase(url: string): Kysely<Schema> {
  const pool = new pg.Pool({ connectionString: url, max: POSTGRES_POOL_SIZE, connectionTimeoutMillis: POSTGRES_CONNECT_TIMEOUT_MS });
  // An idle client losing its connection emits 'error' on the pool; without a listener that
  // would crash the process. The next query reports the problem to its caller instead.
  pool.on('error', () => {});
  return new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
}

/** The URL without its password, for error messages. */
export function redactPostgresUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable PostgreSQL URL)';
  }
}
