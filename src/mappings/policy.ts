// Host-path safety policy (spec section 3): pure string logic on normalized absolute paths.
// The host re-runs checkHostPath on the real path after resolving symlinks at launch.
import { formatLocation } from './location.js';
import { baseName, isCleanAbsolute, isSameOrInside, normalizePath, pathSyntaxProblem } from './paths.js';
import { fixedPrefix, hasTokens } from './tokens.js';
import type { HostPathPolicy, MappingDocument, MappingError } from './types.js';

/** Always refused, with everything beneath them and every ancestor ("/" itself only as such). */
export const DEFAULT_DENIED_PATHS: readonly string[] = Object.freeze([
  '/', '/bin', '/boot', '/dev', '/etc', '/lib', '/lib32', '/lib64', '/libx32', '/proc', '/root',
  '/run', '/sbin', '/sys', '/usr', '/var/lib', '/var/run', '/var/spool',
]);

/** The deny-list only, no allowlist. Do not mutate: build your own policy object instead. */
export const DEFAULT_POLICY: HostPathPolicy = Object.freeze({ extraDenied: [], allowedRoots: [] });

export type HostPathVerdict = { ok: true } | { ok: false; reason: string; suggestion: string };

/** Every ancestor of a normalized absolute path, nearest first, ending with "/". */
function ancestorsOf(path: string): string[] {
  const out: string[] = [];
  for (let cut = path.lastIndexOf('/'); cut > 0; cut = path.lastIndexOf('/', cut - 1)) out.push(path.slice(0, cut));
  if (path !== '/') out.push('/');
  return out;
}

/**
 * Compiles a policy once into a checker: a path is refused when it IS a denied path, when
 * one of its ancestors is one (except "/", which is denied only as itself), or when it is an
 * ancestor of one. Each check costs a few set look-ups per path segment.
 */
export function compilePolicy(
  policy: HostPathPolicy,
  /** pathsAreClean: the caller guarantees normalized absolute paths without `.`/`..` (the merge loop) */
  options: { pathsAreClean?: boolean } = {},
): (path: string) => HostPathVerdict {
  const denied = new Set([...DEFAULT_DENIED_PATHS, ...policy.extraDenied].map(normalizePath));
  const deniedByFirstSegment = new Map<string, string[]>(); // "/var" -> ["/var/lib", "/var/run", ...]
  for (const entry of denied) {
    // "/" is denied only as itself. An entry that is not a clean absolute path ("", "relative",
    // "/a/../b") is never the ancestor of a clean path, so it cannot refuse one from inside.
    if (entry === '/' || !isCleanAbsolute(entry)) continue;
    const cut = entry.indexOf('/', 1);
    const first = cut < 0 ? entry : entry.slice(0, cut);
    const list = deniedByFirstSegment.get(first);
    if (list) list.push(entry);
    else deniedByFirstSegment.set(first, [entry]);
  }
  const holds = new Map<string, string>(); // ancestor -> a denied path beneath it
  for (const entry of denied) for (const ancestor of ancestorsOf(entry)) if (!holds.has(ancestor)) holds.set(ancestor, entry);
  const roots = policy.allowedRoots.map(normalizePath);

  /** Why a clean absolute path is denied, or null. */
  const deniedReason = (path: string): string | null => {
    if (denied.has(path)) return `it is the protected path ${JSON.stringify(path)}`;
    const inner = holds.get(path);
    if (inner !== undefined) return `it contains the protected path ${JSON.stringify(inner)}, which the mount would expose`;
    // Only the denied entries sharing the path's first segment can contain it (and "/" is
    // denied only as itself): a look-up of that segment, then a startsWith per candidate, in
    // deny-list order so the message names the same entry as a full scan would.
    const cut = path.indexOf('/', 1);
    if (cut < 0) return null; // "/x" has no protected ancestor but "/", which does not count
    const candidates = deniedByFirstSegment.get(path.slice(0, cut));
    if (candidates === undefined) return null;
    for (const entry of candidates) {
      if (path.startsWith(entry) && path.charCodeAt(entry.length) === 47) return `it is inside the protected path ${JSON.stringify(entry)}`;
    }
    return null;
  };

  /** Up to two safe places named like the refused path, each passing this same policy. */
  const suggestionFor = (path: string): string => {
    const name = baseName(path) || 'share';
    const candidates = roots.length > 0
      ? roots.map((r) => `${r === '/' ? '' : r}/${name}`)
      : [`/srv/${name}`, `/mnt/${name}`, `/srv/shares/${name}`, `/mnt/shares/${name}`];
    const safe = candidates.filter((c) => c !== path && deniedReason(c) === null).slice(0, 2);
    if (safe.length === 0) return roots.length > 0 ? 'use a folder inside an allowed root' : 'use a dedicated folder under /srv or /mnt';
    return `${roots.length > 0 ? 'use a folder inside an allowed root' : 'use a dedicated folder'}, e.g. ${safe.map((c) => JSON.stringify(c)).join(' or ')}`;
  };

  return (path: string): HostPathVerdict => {
    const trusted = options.pathsAreClean === true;
    const normalized = !trusted && (path.includes('//') || (path.length > 1 && path.endsWith('/'))) ? normalizePath(path) : path;
    const syntax = trusted || isCleanAbsolute(normalized) ? null : pathSyntaxProblem(normalized, 'host path');
    if (syntax) return { ok: false, reason: syntax, suggestion: suggestionFor('/share') };
    const reason = deniedReason(normalized);
    if (reason !== null) return { ok: false, reason: `host path ${JSON.stringify(normalized)} is refused: ${reason}`, suggestion: suggestionFor(normalized) };
    if (roots.length > 0 && !roots.some((root) => isSameOrInside(normalized, root))) {
      return {
        ok: false,
        reason: `host path ${JSON.stringify(normalized)} is outside the allowed roots (${roots.map((r) => JSON.stringify(r)).join(', ')})`,
        suggestion: suggestionFor(normalized),
      };
    }
    return { ok: true };
  };
}

export function checkHostPath(path: string, policy: HostPathPolicy): HostPathVerdict {
  return compilePolicy(policy)(path);
}

/**
 * Save-time policy for a whole (normalized) document. For a template, both its fixed prefix
 * (what any username could reach) and the template itself (tokens as opaque names) are checked.
 */
export function checkDocumentPolicy(doc: MappingDocument, policy: HostPathPolicy): MappingError[] {
  const errors: MappingError[] = [];
  const check = compilePolicy(policy);
  for (const key of Object.keys(doc)) {
    const candidates = hasTokens(key) ? [fixedPrefix(key), key] : [key];
    for (const candidate of candidates) {
      const verdict = check(candidate);
      if (!verdict.ok) {
        const which = candidate === key ? '' : 'checking its fixed prefix (the part before the first token, which a token value could reach): ';
        errors.push({ location: formatLocation([key]), message: `${which}${verdict.reason}; ${verdict.suggestion}` });
        break;
      }
    }
  }
  return errors;
}
