// Validation and normalization of an already-parsed volume-mapping document (spec section 2).
// Returns EVERY problem found, each with its exact location; never throws.
import { formatLocation, DOCUMENT_LOCATION } from './location.js';
import { normalizePath, pathSyntaxProblem } from './paths.js';
import { didYouMean } from './suggest.js';
import { bindRefusal } from './policy.js';
import { scanTemplate } from './tokens.js';
import type { MappingDocument, MappingError, MappingSpec, Mode, ParseResult } from './types.js';

export const MAPPING_KEYS = ['bind', 'mode', 'uid', 'gid', 'required', 'timeout', 'skip_check'] as const;
export const DEFAULTS = { mode: 'rw', required: true, timeout: 10, skip_check: false } as const;
const MAX_ID = 2147483647;
const MAX_TIMEOUT = 600;

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === null || proto === Object.prototype;
}

/** A short description of a JSON value for messages: `string "1000"`, `number 1000.5`, `array`. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') {
    const shown = value.length > 40 ? `${value.slice(0, 40)}...` : value;
    return `the string ${JSON.stringify(shown)}`;
  }
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${String(value)}`;
  if (typeof value === 'object') return 'an object';
  return typeof value;
}

/** Problems with a host path or bind template: syntax, then tokens. */
function templateProblems(template: string, what: string): string[] {
  const syntax = pathSyntaxProblem(template, what);
  if (syntax) return [syntax];
  return scanTemplate(template).problems;
}

interface FieldContext {
  key: string;
  errors: MappingError[];
  /** the normalized bind when it is valid, even if other fields are not (for duplicate checks) */
  bind?: string;
}

function fail(ctx: FieldContext, field: string | null, message: string): void {
  const path = field === null ? [ctx.key] : [ctx.key, field];
  ctx.errors.push({ location: formatLocation(path), path, message });
}

function checkId(ctx: FieldContext, field: 'uid' | 'gid', value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_ID) {
    fail(ctx, field, `got ${describeValue(value)}; expected an integer from 0 to ${MAX_ID} (e.g. 1000)`);
    return undefined;
  }
  return value;
}

function checkBoolean(ctx: FieldContext, field: 'required' | 'skip_check', value: unknown): boolean | undefined {
  if (value === undefined || typeof value === 'boolean') return value;
  fail(ctx, field, `got ${describeValue(value)}; expected true or false (a JSON boolean, not a string)`);
  return undefined;
}

function checkSpec(ctx: FieldContext, raw: Record<string, unknown>): MappingSpec | undefined {
  const before = ctx.errors.length;
  for (const field of Object.keys(raw)) {
    if (!(MAPPING_KEYS as readonly string[]).includes(field)) {
      fail(ctx, field, `unknown key ${JSON.stringify(field)}; allowed keys: ${MAPPING_KEYS.join(', ')}.${didYouMean(field, MAPPING_KEYS)}`);
    }
  }
  let bind: string | undefined;
  if (raw.bind === undefined) {
    fail(ctx, 'bind', 'missing; expected the absolute path inside the container, e.g. "/share"');
  } else if (typeof raw.bind !== 'string') {
    fail(ctx, 'bind', `got ${describeValue(raw.bind)}; expected a string holding an absolute container path, e.g. "/share"`);
  } else {
    const problems = templateProblems(raw.bind, 'bind');
    for (const problem of problems) fail(ctx, 'bind', problem);
    if (problems.length === 0) {
      bind = normalizePath(raw.bind);
      ctx.bind = bind;
      if (bind === '/') fail(ctx, 'bind', 'bind cannot be "/" (it would cover the whole container); expected a folder such as "/share"');
      // Tokens count as plain names here; what a value makes of them is checked at launch.
      const refusal = bind === '/' ? null : bindRefusal(bind);
      if (refusal !== null) fail(ctx, 'bind', refusal);
    }
  }
  let mode: Mode | undefined;
  if (raw.mode !== undefined) {
    if (raw.mode === 'rw' || raw.mode === 'ro') mode = raw.mode;
    else fail(ctx, 'mode', `got ${describeValue(raw.mode)}; expected "rw" (read-write) or "ro" (read-only)`);
  }
  const uid = checkId(ctx, 'uid', raw.uid);
  const gid = checkId(ctx, 'gid', raw.gid);
  const required = checkBoolean(ctx, 'required', raw.required);
  const skipCheck = checkBoolean(ctx, 'skip_check', raw.skip_check);
  let timeout: number | undefined;
  if (raw.timeout !== undefined) {
    const t = raw.timeout;
    if (typeof t !== 'number' || !Number.isFinite(t) || t <= 0 || t > MAX_TIMEOUT) {
      fail(ctx, 'timeout', `got ${describeValue(t)}; expected a number of seconds greater than 0 and at most ${MAX_TIMEOUT} (default ${DEFAULTS.timeout})`);
    } else timeout = t;
  }
  if (ctx.errors.length > before || bind === undefined) return undefined;
  // Key order is fixed (Kasm's order) so normalized documents serialize identically.
  return {
    bind,
    mode: mode ?? DEFAULTS.mode,
    ...(uid !== undefined ? { uid } : {}),
    ...(gid !== undefined ? { gid } : {}),
    required: required ?? DEFAULTS.required,
    timeout: timeout ?? DEFAULTS.timeout,
    skip_check: skipCheck ?? DEFAULTS.skip_check,
  };
}

/** Validates a parsed value and returns the normalized document or every error found. */
export function validateMappingValue(value: unknown): ParseResult {
  return isPlainObject(value) ? validateMappingEntries(Object.entries(value)) : notAnObject(value);
}

function notAnObject(value: unknown): ParseResult {
  return {
    ok: false,
    errors: [{ location: DOCUMENT_LOCATION, path: [], message: `got ${describeValue(value)}; expected a JSON object whose keys are host paths, e.g. {"/var/kasm_user_share": {"bind": "/share"}}` }],
  };
}

/**
 * Validates the entries of the top-level object in order. The JSON text parser passes every
 * entry, a key written twice included (reported by the parser), so both values are checked.
 */
export function validateMappingEntries(entries: Array<[string, unknown]>): ParseResult {
  const errors: MappingError[] = [];
  const document: MappingDocument = {};
  const keyByHostPath = new Map<string, string>();
  const keyByBind = new Map<string, string>();
  for (const [key, raw] of entries) {
    const ctx: FieldContext = { key, errors };
    const hostProblems = templateProblems(key, 'host path');
    for (const problem of hostProblems) fail(ctx, null, problem);
    const hostPath = normalizePath(key);
    if (hostProblems.length === 0) {
      const earlier = keyByHostPath.get(hostPath);
      if (earlier === key) {
        // the same key written twice: the parser reported it; its value is still checked below
      } else if (earlier !== undefined) {
        fail(ctx, null, `normalizes to ${JSON.stringify(hostPath)}, the same host path as ${JSON.stringify(earlier)}; expected each host path once`);
      } else keyByHostPath.set(hostPath, key);
    }
    if (!isPlainObject(raw)) {
      fail(ctx, null, `got ${describeValue(raw)}; expected an object such as {"bind": "/share", "mode": "rw"}`);
      continue;
    }
    const spec = checkSpec(ctx, raw);
    if (ctx.bind !== undefined) {
      const other = keyByBind.get(ctx.bind);
      if (other !== undefined && other !== key) {
        fail(ctx, 'bind', `${JSON.stringify(ctx.bind)} is already the bind of ${JSON.stringify(other)}; expected each container path once per document`);
      } else keyByBind.set(ctx.bind, key);
    }
    if (spec && errors.length === 0) document[hostPath] = spec;
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, document };
}
