// Deleting a folder tree without ever following a symlink and without crossing into another
// mount: every folder is opened relative to its parent's descriptor with O_NOFOLLOW (beneath.ts);
// whatever does not open as a real folder is unlinked as the entry it is (unlink never follows
// its last component, so a symlink goes, its target stays); a folder on another device is left
// alone. Used by Reset on the old profile after it was renamed out of the way.
// RUN ONLY INSIDE A DISPOSABLE WORKER PROCESS: this touches profile storage, which may hang.
import { constants } from 'node:fs';
import { lstat, open, readdir, rmdir, unlink, type FileHandle } from 'node:fs/promises';
import { fdPath } from './beneath.js';

const NOFOLLOW_DIR = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW;

export interface RemovalCount {
  /** files, links, folders and other entries removed */
  entries: number;
  /** sizes of the regular files removed */
  bytes: number;
  /** folders left in place because another file system is mounted there */
  otherMounts: number;
  /** entries that could not be removed (the first few reasons in `errors`) */
  failed: number;
  errors: string[];
}

export function emptyCount(): RemovalCount {
  return { entries: 0, bytes: 0, otherMounts: 0, failed: 0, errors: [] };
}

function note(count: RemovalCount, what: string, err: unknown): void {
  count.failed++;
  if (count.errors.length < 5) count.errors.push(`${what}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
}

async function unlinkEntry(parent: FileHandle, name: string, shown: string, count: RemovalCount, dev: number): Promise<void> {
  const path = fdPath(parent, name);
  const st = await lstat(path).catch(() => null);
  try {
    await unlink(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    // EISDIR/EPERM: it became a folder since it failed to open as one; one more try as a folder
    if (code === 'EISDIR' || code === 'EPERM') return removeEntry(parent, name, shown, count, dev, false);
    return note(count, `unlink ${shown}`, err);
  }
  count.entries++;
  if (st?.isFile()) count.bytes += st.size;
}

/**
 * Removes `name` inside the folder behind `parent`, and everything below it on device `dev`
 * (the parent's: a folder on any other device is a mount and is left alone).
 * Errors are counted, never thrown: a reset removes what it can and reports the rest.
 */
export async function removeEntry(parent: FileHandle, name: string, shown: string, count: RemovalCount, dev: number, retry = true): Promise<void> {
  let dir: FileHandle;
  try {
    dir = await open(fdPath(parent, name), NOFOLLOW_DIR);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    // a file, a symlink (ELOOP), a socket...: removed as the entry itself
    if ((code === 'ENOTDIR' || code === 'ELOOP') && retry) return unlinkEntry(parent, name, shown, count, dev);
    return note(count, `open ${shown}`, err);
  }
  try {
    const st = await dir.stat();
    if (st.dev !== dev) {
      count.otherMounts++;
      return;
    }
    const names = await readdir(fdPath(dir));
    for (const child of names) await removeEntry(dir, child, `${shown}/${child}`, count, st.dev);
  } catch (err) {
    note(count, `read ${shown}`, err);
  } finally {
    await dir.close().catch(() => undefined);
  }
  try {
    // rmdir never follows a symlink either: a folder swapped for a link meanwhile fails here
    await rmdir(fdPath(parent, name));
    count.entries++;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') note(count, `rmdir ${shown}`, err);
  }
}
