// Turns a driver's constraint violation into the store's own errors, with a message that
// names the value that clashed. Repos describe their unique columns; the dialect parses.
import type { StoreDialect } from './dialect.js';
import { ConflictError, MissingReferenceError } from './types.js';

export interface UniqueRule {
  /** the record field reported in ConflictError.field */
  field: string;
  message: string;
}

export interface ConstraintRules {
  /** by column name of the unique constraint (e.g. `username_key`, `priority`) */
  unique: Record<string, UniqueRule>;
  /** used for every foreign-key violation of the statement */
  foreignKey?: UniqueRule;
}

export async function translateConstraints<T>(dialect: StoreDialect, rules: ConstraintRules, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    const v = dialect.classifyError(err);
    if (v?.kind === 'unique') {
      const rule = v.column === undefined ? undefined : rules.unique[v.column];
      if (rule) throw new ConflictError(rule.message, rule.field);
      const where = [v.table, v.column].filter(Boolean).join('.') || 'unknown column';
      throw new ConflictError(`store: value already exists (unique constraint on ${where})`, v.column ?? 'unknown');
    }
    if (v?.kind === 'foreign_key' && rules.foreignKey) {
      throw new MissingReferenceError(rules.foreignKey.message, rules.foreignKey.field);
    }
    throw err;
  }
}
