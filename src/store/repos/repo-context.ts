// What every repo is built from: a Kysely instance (the pool, or a transaction) and the
// dialect's small differences. The same repo code runs on both.
import type { Kysely } from 'kysely';
import type { StoreDialect } from '../dialect.js';
import type { Database } from '../schema.js';

export interface RepoContext {
  db: Kysely<Database>;
  dialect: StoreDialect;
}

/** Runs fn in a transaction, or in the caller's transaction when ctx is already bound to one. */
export function atomically<T>(ctx: RepoContext, fn: (db: Kysely<Database>) => Promise<T>): Promise<T> {
  if (ctx.db.isTransaction) return fn(ctx.db);
  return ctx.db.transaction().execute(fn);
}
