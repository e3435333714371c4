// Kysely builds, transforms (NulGuardPlugin) and compiles a query on every call: for a hot
// lookup that was ten times the cost of running the SQL, and building the two queries of an
// authenticated GET /api/v1/images afresh raised its CPU cost by about half (bench/api.bench.ts).
// A reusable query is built and compiled once, with placeholder values, and then run with the
// caller's values bound in their places: the SQL text (and so the cached prepared statement,
// see sqlite/cached-statements.ts) is identical. Only for reads on every request.
import { createQueryId, type Compilable, type CompiledQuery, type Kysely } from 'kysely';
import type { Database } from '../schema.js';
import { assertNoNul } from '../nul-guard-plugin.js';

/** Unique, NUL-free stand-ins the real values replace; nothing a caller would pass. */
const placeholder = (i: number) => `\u0001tether-reusable-query-parameter-${i}\u0001`;

export class ReusableQuery<Args extends readonly string[], Row> {
  #compiled: CompiledQuery<Row> | undefined;
  /** for each compiled parameter: the index of the argument it stands for, or -1 for a constant */
  #slots: number[] = [];

  constructor(
    private readonly db: Kysely<Database>,
    private readonly arity: Args['length'],
    private readonly build: (db: Kysely<Database>, ...args: Args) => Compilable<Row>,
  ) {}

  async execute(...args: Args): Promise<Row[]> {
    const compiled = this.#compile();
    // The NUL guard plugin ran at compile time, on the placeholders; the values get it here.
    for (const value of args) assertNoNul(value);
    const parameters = compiled.parameters.map((constant, i) => {
      const slot = this.#slots[i] as number;
      return slot === -1 ? constant : args[slot];
    });
    const result = await this.db.executeQuery<Row>({ ...compiled, parameters, queryId: createQueryId() });
    return result.rows;
  }

  #compile(): CompiledQuery<Row> {
    if (this.#compiled) return this.#compiled;
    const names = Array.from({ length: this.arity }, (_, i) => placeholder(i));
    const compiled = this.build(this.db, ...(names as unknown as Args)).compile();
    this.#slots = compiled.parameters.map((p) => (typeof p === 'string' ? names.indexOf(p) : -1));
    const missing = names.filter((n) => !compiled.parameters.includes(n));
    if (missing.length > 0) {
      throw new Error(`store: reusable query ${compiled.sql} does not bind ${missing.length} of its ${this.arity} arguments as parameters; expected each argument to be a bound value`);
    }
    this.#compiled = compiled;
    return compiled;
  }
}
