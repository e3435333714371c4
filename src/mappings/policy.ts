// Host-path safety policy (spec section 3): pure string logic on normalized absolute paths.
// The host re-runs checkHostPath on the real path after resolving symlinks at launch.
import { formatLocation } from './location.js';
import { baseName, isCleanAbsolute, isSameOrInside, normalizePath, pathSyntaxProblem } from './paths.js';
import { fixedPrefix, hasTokens } from './tokens.js';
import type { HostPathPolicy, MappingDocument, MappingError } from './types.js';

/**
 * Always refused, with everything beneath them and every ancestor ("/" itself only as such).
 * Besides the system folders: /opt (installed software the host runs), /var/log (what the
 * host's tools parse as root) and the X11/ICE socket folders (a desktop's input and screen).
 */
export const DEFAULT_DENIED_PATHS: readonly string[] = Object.freeze([
  '/', '/bin', '/boot', '/dev', '/etc', '/lib', '/lib32', '/lib64', '/libx32', '/opt', '/proc', '/root',
  '/run', '/sbin', '/sys', '/usr', '/var/lib', '/var/log', '/var/run', '/var/spool', '/tmp/.X11-unix', '/tmp/.ICE-unix',
]);

/**
 * Refused as themselves only: folders every user and service shares. Mounting one hands a
 * session everyone's files and sockets, and applying a mapping's uid/gid to it makes that uid
 * its owner; a dedicated folder below them (e.g. /tmp/build) is an ordinary place.
 */
export const DEFAULT_DENIED_EXACT: Readonly<Record<string, string>> = Object.freeze({
  '/home': 'it is the folder of every user\'s home folder',
  '/tmp': 'it is the shared temporary folder itself (every user\'s and service\'s files and sockets)',
  '/var/tmp': 'it is the shared temporary folder itself (every user\'s and service\'s files)',
});

/**
 * Home folders live one level below these. A home folder itself is refused (its .bashrc,
 * .profile, .ssh run code or let in whoever writes them), and so is anything in one of its
 * dot-entries (.ssh, .config, .local, ...). A plain folder in a home (/home/alice/projects)
 * stays allowed: nothing the host runs reads it on the owner's behalf.
 */
export const HOME_ROOTS: readonly string[] = Object.freeze(['/home']);

/** Container paths a bind may not cover: the kernel's and the system's views inside the session. */
export const PROTECTED_BINDS: readonly string[] = Object.freeze(['/proc', '/sys', '/dev', '/etc']);

/** Their first letters: most binds are let through on that letter alone (this runs for every mapping). */
const PROTECTED_INITIALS: ReadonlySet<number> = new Set(PROTECTED_BINDS.map((p) => p.charCodeAt(1)));

/** Why a normalized bind (tokens expanded, or kept as opaque names) is refused, or null. */
export function bindRefusal(bind: string): string | null {
  if (!PROTECTED_INITIALS.has(bind.charCodeAt(1))) return null;
  for (const p of PROTECTED_BINDS) {
    if (bind === p || (bind.startsWith(p) && bind.charCodeAt(p.length) === 47)) {
      return `bind ${JSON.stringify(bind)} is refused: it would cover ${bind === p ? '' : 'part of '}the container's ${JSON.stringify(p)} (the kernel's or the system's own view inside the session); expected a folder such as "/share" or "/home/kasm-user/data"`;
    }
  }
  return null;
}

/** Why a path is a home folder or inside one of its dot-entries, or null. */
function homeReason(path: string): string | null {
  for (const root of HOME_ROOTS) {
    if (!path.startsWith(root) || path.charCodeAt(root.length) !== 47) continue;
    const rest = path.slice(root.length + 1); // "alice", "alice/.ssh/x", "alice/work"
    const slash = rest.indexOf('/');
    const home = slash < 0 ? path : `${root}/${rest.slice(0, slash)}`;
    if (slash < 0) return `it is the home folder ${JSON.stringify(home)} (its .bashrc, .profile and .ssh run code as, or let in, whoever writes them)`;
    const next = rest.slice(slash + 1);
    if (next.startsWith('.')) {
      const cut = next.indexOf('/');
      const dot = `${home}/${cut < 0 ? next : next.slice(0, cut)}`;
      return `it ${cut < 0 ? 'is' : 'is inside'} the dot-folder ${JSON.stringify(dot)} of a home folder (keys and start-up files: writing them acts as that user)`;
    }
  }
  return null;
}

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

  const exact = new Map(Object.entries(DEFAULT_DENIED_EXACT));

  /** Why a clean absolute path is denied, or null. */
  const deniedReason = (path: string): string | null => {
    const shared = exact.get(path);
    if (shared !== undefined) return shared;
    const home = homeReason(path);
    if (home !== null) return home;
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
    const name = baseName(path).replace(/^\.+/, '') || 'share';
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
        errors.push({ location: formatLocation([key]), path: [key], message: `${which}${verdict.reason}; ${verdict.suggestion}` });
        break;
      }
    }
  }
  return errors;
}
