// An image's `security` object from a request body: every problem named by its field
// (security.cap_add[1], security.pids_limit, ...), nothing stored unless all is well.
import type { ImageSecurity } from '../store/types.js';
import { LINUX_CAPABILITIES, MAX_PIDS_LIMIT, MIN_PIDS_LIMIT, SESSION_NETWORK } from '../runtime/hardening.js';
import type { FieldValidation } from './http-error.js';
import { jsonOfType } from './schemas.js';

/** typed as a JSON object or null by the route; each field is checked here, every problem named */
export const imageSecurityInput = jsonOfType(['object', 'null'],
  'overrides of how sessions are confined: network, cap_add, cap_drop, no_new_privileges, pids_limit; null or {} = the defaults (docs/sessions.md)');

const KNOWN = ['network', 'cap_add', 'cap_drop', 'no_new_privileges', 'pids_limit'];
const NETWORK_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
const KNOWN_CAPS = new Set(LINUX_CAPABILITIES);

export type SecurityParse = { ok: true; security: ImageSecurity } | { ok: false; validations: FieldValidation[] };

/** Capability names as given, CAP_ prefix and case tolerated; "ALL" only where allowAll. */
function capabilities(field: string, value: unknown, allowAll: boolean, problems: FieldValidation[]): string[] | undefined {
  if (!Array.isArray(value)) {
    problems.push({ field, detail: 'expected an array of capability names, e.g. ["SYS_PTRACE"]' });
    return undefined;
  }
  const out: string[] = [];
  value.forEach((v: unknown, i) => {
    const at = `${field}[${i}]`;
    if (typeof v !== 'string') return void problems.push({ field: at, detail: 'expected a capability name (a string)' });
    const name = v.trim().toUpperCase().replace(/^CAP_/, '');
    if (name === 'ALL') {
      if (allowAll) out.push(name);
      else problems.push({ field: at, detail: '"ALL" would hand the session every capability; name the capabilities it needs one by one' });
      return;
    }
    if (!KNOWN_CAPS.has(name)) return void problems.push({ field: at, detail: `"${v}" is not a Linux capability; known: ${LINUX_CAPABILITIES.join(', ')}` });
    if (!out.includes(name)) out.push(name);
  });
  return out;
}

export function parseImageSecurity(field: string, value: unknown): SecurityParse {
  if (value === null) return { ok: true, security: {} };
  if (typeof value !== 'object' || Array.isArray(value)) {
    return { ok: false, validations: [{ field, detail: 'expected an object such as {"pids_limit": 4096}' }] };
  }
  const input = value as Record<string, unknown>;
  const problems: FieldValidation[] = [];
  const out: ImageSecurity = {};
  for (const key of Object.keys(input)) {
    if (!KNOWN.includes(key)) problems.push({ field: `${field}.${key}`, detail: `unknown setting; known: ${KNOWN.join(', ')}` });
  }
  if (input.network !== undefined) {
    const n = input.network;
    if (typeof n !== 'string' || !NETWORK_NAME.test(n)) {
      problems.push({ field: `${field}.network`, detail: `expected an engine network name (letters, digits, "_", ".", "-"), e.g. "${SESSION_NETWORK}" or "none"` });
    } else if (n === 'host') {
      problems.push({ field: `${field}.network`, detail: '"host" would put the session in the host\'s network: it could reach every service of the host, the Tether API included' });
    } else out.network = n;
  }
  if (input.cap_add !== undefined) {
    const caps = capabilities(`${field}.cap_add`, input.cap_add, false, problems);
    if (caps) out.cap_add = caps;
  }
  if (input.cap_drop !== undefined) {
    const caps = capabilities(`${field}.cap_drop`, input.cap_drop, true, problems);
    if (caps) out.cap_drop = caps;
  }
  if (input.no_new_privileges !== undefined) {
    if (typeof input.no_new_privileges !== 'boolean') problems.push({ field: `${field}.no_new_privileges`, detail: 'expected true or false' });
    else out.no_new_privileges = input.no_new_privileges;
  }
  if (input.pids_limit !== undefined) {
    const p = input.pids_limit;
    if (p !== null && (typeof p !== 'number' || !Number.isInteger(p) || p < MIN_PIDS_LIMIT || p > MAX_PIDS_LIMIT)) {
      problems.push({ field: `${field}.pids_limit`, detail: `expected an integer from ${MIN_PIDS_LIMIT} to ${MAX_PIDS_LIMIT}, or null for no limit` });
    } else out.pids_limit = p;
  }
  const both = (out.cap_add ?? []).filter((c) => out.cap_drop?.includes(c));
  if (both.length > 0) problems.push({ field: `${field}.cap_drop`, detail: `${both.join(', ')} also in cap_add: say once whether the session keeps it` });
  return problems.length > 0 ? { ok: false, validations: problems } : { ok: true, security: out };
}
