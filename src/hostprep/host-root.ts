// Where this process sees the node's file system. '/' for Tether or an agent running as a plain
// process; '/host' for the agent in its container, where the node's / is bind-mounted. Paths on
// the wire, in the policy and handed to the engine are always the node's own (no prefix); only
// the opening of a path and the reading back of a kernel path translate. Set once per worker
// process (all requests of one pool share their preparer's root).
import { lstat, readlink } from 'node:fs/promises';
import { PrepareStepError, stepError } from './classify.js';

let root = '/';

/** An absolute, normalized folder ('/' or e.g. '/host'); checked by the preparer's options. */
export function checkHostRoot(value: string): string {
  const v = value.replace(/\/+$/, '') || '/';
  if (v === '/') return v;
  if (!v.startsWith('/') || v.split('/').some((p, i) => i > 0 && (p === '' || p === '.' || p === '..'))) {
    throw new Error(`host root ${JSON.stringify(value)} is not an absolute, normalized path (expected / or e.g. /host)`);
  }
  return v;
}

export function useHostRoot(value: string): void {
  root = value;
}

/** Where this process reaches the node's `path`. */
export function inHost(path: string, hostRoot = root): string {
  return hostRoot === '/' ? path : path === '/' ? hostRoot : `${hostRoot}${path}`;
}

/** The node's path for `path` as this process sees it; outside the host root is refused. */
export function fromHost(path: string, hostRoot = root): string {
  if (hostRoot === '/') return path;
  if (path === hostRoot) return '/';
  if (path.startsWith(`${hostRoot}/`)) return path.slice(hostRoot.length);
  throw new PrepareStepError('policy', `${JSON.stringify(path)} is outside the node's file system (seen at ${hostRoot}): refused`);
}

const MAX_LINKS = 40;

/**
 * The node's `path` with symlinks resolved the way the node resolves them (an absolute target
 * starts again at the node's /, not at this process's), as this process reaches it. A missing
 * component is left as is: opening the result then reports it missing.
 */
export async function resolveInHost(path: string, hostRoot = root): Promise<string> {
  if (hostRoot === '/') return path;
  let pending = path.split('/').filter((p) => p !== '');
  let resolved: string[] = [];
  let links = 0;
  while (pending.length > 0) {
    const name = pending.shift()!;
    if (name === '.') continue;
    if (name === '..') {
      resolved.pop();
      continue;
    }
    const candidate = `${hostRoot}/${[...resolved, name].join('/')}`;
    const st = await lstat(candidate).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return null;
      throw stepError(`resolve ${JSON.stringify(path)} on the node`, err);
    });
    if (st?.isSymbolicLink()) {
      if (++links > MAX_LINKS) throw new PrepareStepError('io', `${JSON.stringify(path)} has more than ${MAX_LINKS} symlinks on the way (a loop?)`);
      const target = await readlink(candidate);
      if (target.startsWith('/')) resolved = [];
      pending = [...target.split('/').filter((p) => p !== ''), ...pending];
      continue;
    }
    resolved.push(name);
  }
  return resolved.length === 0 ? hostRoot : `${hostRoot}/${resolved.join('/')}`;
}
