// Walking a folder tree by descriptors, never by path strings, so that nobody who can write a
// folder on the way can swap a component for a symlink between a check and its use.
// `/proc/self/fd/<parent>/<name>` opened with O_NOFOLLOW is openat(parent, name, O_NOFOLLOW):
// the kernel jumps to the very object behind the parent descriptor, looks `name` up in it,
// and refuses a symlink as the last component. Used by host preparation (from the fixed prefix
// down) and by the after-start verification (from a container's root down).
// RUN ONLY INSIDE A DISPOSABLE WORKER PROCESS: every call may touch storage that hangs.
import { constants } from 'node:fs';
import { lstat, open, readlink, type FileHandle } from 'node:fs/promises';
import { PrepareStepError, stepError } from './classify.js';
import type { DirIdentity } from './types.js';
import { fromHost } from './host-root.js';

const DIR_FLAGS = constants.O_RDONLY | constants.O_DIRECTORY;
const NOFOLLOW_DIR_FLAGS = DIR_FLAGS | constants.O_NOFOLLOW;

/** The path through which the kernel reaches the object behind a descriptor. */
export function fdPath(handle: FileHandle, name?: string): string {
  return name === undefined ? `/proc/self/fd/${handle.fd}` : `/proc/self/fd/${handle.fd}/${name}`;
}

/** The kernel's current path of the object behind a descriptor, as the node names it (for policy checks and messages). */
export async function kernelPath(handle: FileHandle): Promise<string> {
  return fromHost(await readlink(fdPath(handle)));
}

export function joinPath(dir: string, name: string): string {
  return dir === '/' ? `/${name}` : `${dir}/${name}`;
}

/** Opens a folder by path, following symlinks: only for roots the administrator controls. */
export async function openRootDir(path: string): Promise<FileHandle> {
  return open(path, DIR_FLAGS);
}

export interface BeneathOptions {
  /** what a refused symlink is called in the message, e.g. "below the fixed prefix" */
  where: string;
}

/**
 * Opens `name` inside the folder behind `parent`, refusing symlinks. `shownPath` names it in
 * messages. ENOENT is returned as null (the caller decides: create, or `missing`).
 */
export async function openBeneath(parent: FileHandle, name: string, shownPath: string, opts: BeneathOptions): Promise<FileHandle | null> {
  try {
    return await open(fdPath(parent, name), NOFOLLOW_DIR_FLAGS);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    if (code === 'ENOTDIR' || code === 'ELOOP') {
      // only to tell a symlink from a file in the message: nothing is opened through this answer
      const st = await lstat(fdPath(parent, name)).catch(() => null);
      if (st === null || st.isSymbolicLink()) {
        throw new PrepareStepError('policy', `${JSON.stringify(shownPath)} is a symlink: symlinks ${opts.where} are never followed, whatever their target (expected a real folder there)`);
      }
      if (st.isDirectory()) {
        // refused as a symlink a moment ago, a folder now: someone is swapping it
        throw new PrepareStepError('policy', `${JSON.stringify(shownPath)} was a symlink when it was opened and is a folder now: it is being swapped; symlinks ${opts.where} are never followed`);
      }
      throw new PrepareStepError('not_directory', `${JSON.stringify(shownPath)} exists but is not a folder (expected a folder to mount)`);
    }
    throw stepError(`open ${JSON.stringify(shownPath)}`, err);
  }
}

/**
 * Walks `names` down from `root` without following any symlink; every name must exist.
 * Closes the intermediate descriptors; the caller owns (and closes) the returned one.
 */
export async function walkBeneath(root: FileHandle, rootShown: string, names: string[], opts: BeneathOptions): Promise<FileHandle> {
  let cur = root;
  let shown = rootShown;
  try {
    for (const name of names) {
      shown = joinPath(shown, name);
      const next = await openBeneath(cur, name, shown, opts);
      if (next === null) throw new PrepareStepError('missing', `${JSON.stringify(shown)} does not exist (expected it to exist)`);
      if (cur !== root) await cur.close();
      cur = next;
    }
    return cur;
  } catch (err) {
    if (cur !== root) await cur.close().catch(() => undefined);
    throw err;
  }
}

export async function identityOf(handle: FileHandle): Promise<DirIdentity> {
  const st = await handle.stat();
  return { dev: st.dev, ino: st.ino };
}

export function sameIdentity(a: DirIdentity, b: DirIdentity): boolean {
  return a.dev === b.dev && a.ino === b.ino;
}

export function showIdentity(id: DirIdentity | null): string {
  return id === null ? 'nothing' : `dev ${id.dev} ino ${id.ino}`;
}
