// What differs between SQLite and PostgreSQL once Kysely has written the SQL: how a boolean
// is bound, and how each driver reports a constraint violation. Everything else is shared.
// This is the only "dialect" of the store; Kysely's own (which writes and runs the SQL) is
// picked where the database is opened (sqlite/open-sqlite.ts, postgres/open-postgres.ts).

export type DialectName = 'sqlite' | 'postgres';

/** A constraint violation, in driver-independent terms. */
export interface ConstraintViolation {
  kind: 'unique' | 'foreign_key';
  table?: string;
  /** the (first) column of the violated constraint, when the driver says which */
  column?: string;
}

export interface StoreDialect {
  readonly name: DialectName;
  /** a boolean as the driver can bind it (better-sqlite3 cannot bind true/false) */
  bool(value: boolean): boolean | number;
  /** undefined when `err` is not a unique or foreign-key violation */
  classifyError(err: unknown): ConstraintViolation | undefined;
}
