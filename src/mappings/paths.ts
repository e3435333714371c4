// Pure string logic on POSIX paths. Nothing here touches a filesystem: symlinks are
// resolved later, on the host, by the caller, which then re-checks the real path.

/** Control characters and invisible formatting characters (zero-width, bidi overrides). */
const INVISIBLE_OR_CONTROL = /[\p{Cc}\p{Cf}]/u;

/** Collapse repeated slashes and drop a trailing slash (but keep `/` itself). */
export function normalizePath(path: string): string {
  let out = path.replace(/\/{2,}/g, '/');
  if (out.length > 1 && out.endsWith('/')) out = out.slice(0, -1);
  return out;
}

/** A path that is already normalized, absolute and free of `.`/`..` segments and NUL: the fast check. */
const CLEAN_ABSOLUTE = /^(?:\/(?!\.\.?(?:\/|$))[^/\0]+)+$/;
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
export function isCleanAbsolute(path: string): boolean {
  // The unicode-aware character test is slow; most paths are printable ASCII and skip it.
  return CLEAN_ABSOLUTE.test(path) && (PRINTABLE_ASCII.test(path) || !INVISIBLE_OR_CONTROL.test(path));
}

function describeChar(ch: string): string {
  const code = ch.codePointAt(0)!;
  return `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * Why `path` is not an acceptable absolute path, or null when it is.
 * `what` names the thing in the message ("host path", "bind").
 */
export function pathSyntaxProblem(path: string, what: string): string | null {
  if (path.length === 0) return `${what} is empty; expected an absolute path such as "/srv/share"`;
  if (path.includes('\0')) return `${what} contains a NUL character; expected a plain absolute path`;
  const bad = INVISIBLE_OR_CONTROL.exec(path);
  if (bad) return `${what} contains the control or invisible character ${describeChar(bad[0])}; expected printable characters only`;
  if (!path.startsWith('/')) return `${what} ${JSON.stringify(path)} is not absolute; expected a path starting with "/"`;
  const dotted = path.split('/').find((segment) => segment === '.' || segment === '..');
  if (dotted !== undefined) {
    return `${what} ${JSON.stringify(path)} contains a "${dotted}" segment; expected a direct path without "." or ".."`;
  }
  return null;
}

/** True when `path` is `root` or beneath it. Both normalized and absolute. */
export function isSameOrInside(path: string, root: string): boolean {
  if (root === '/') return path.startsWith('/');
  return path === root || path.startsWith(root + '/');
}

/** The last segment of a path ("" for `/`). */
export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

export const SCAN_SLOW = 0;
export const SCAN_CLEAN = 1;
export const SCAN_CLEAN_WITH_TOKENS = 2;
const KNOWN_TOKENS = ['{username}', '{user_id}', '{image_id}'];

/**
 * One pass over a path for the hot loop of merging: SCAN_CLEAN(_WITH_TOKENS) when it is
 * absolute, normalized, printable ASCII, free of `.`/`..` segments and its braces are only
 * known tokens; SCAN_SLOW for anything else (the caller then runs the full, precise checks,
 * which accept legitimate non-ASCII names and produce the error message).
 */
export function scanPath(path: string): number {
  const length = path.length;
  if (length < 2 || path.charCodeAt(0) !== 47) return SCAN_SLOW;
  let segmentStart = 1;
  let tokens = false;
  for (let i = 1; i <= length; i++) {
    const c = i < length ? path.charCodeAt(i) : 47;
    if (c === 47) {
      const segmentLength = i - segmentStart;
      if (segmentLength === 0) return SCAN_SLOW; // "//" or a trailing "/"
      if (path.charCodeAt(segmentStart) === 46 && (segmentLength === 1 || (segmentLength === 2 && path.charCodeAt(segmentStart + 1) === 46))) return SCAN_SLOW;
      segmentStart = i + 1;
    } else if (c < 32 || c > 126 || c === 125) {
      return SCAN_SLOW;
    } else if (c === 123) {
      const token = KNOWN_TOKENS.find((t) => path.startsWith(t, i));
      if (token === undefined) return SCAN_SLOW;
      tokens = true;
      i += token.length - 1;
    }
  }
  return tokens ? SCAN_CLEAN_WITH_TOKENS : SCAN_CLEAN;
}
