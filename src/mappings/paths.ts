// Pure string logic on POSIX paths. Nothing here touches a filesystem: symlinks are
// resolved later, on the host, by the caller, which then re-checks the real path.

/** Control characters, invisible formatting characters (zero-width, bidi overrides), lone surrogates. */
const INVISIBLE_OR_CONTROL = /[\p{Cc}\p{Cf}\p{Cs}]/u;

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

