// Staging: the prepared folder's descriptor is bind-mounted onto a mount point inside a
// root-only folder of Tether's, and the engine is handed that mount point. The engine then
// mounts the very object preparation opened and checked; nothing a session's user can write
// lies on the path it resolves. Layout: <root>/<namespace>/<session>/<random>, where the
// namespace is the Tether instance (so a sweep never touches another instance's stages).
// Once the container runs, the stage is detached (umount -l): the container keeps its mount.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { lstat, mkdir, readdir, rmdir, stat, type FileHandle } from 'node:fs/promises';
import { PrepareStepError, stepError } from './classify.js';
import { sameIdentity, showIdentity } from './beneath.js';
import type { DirIdentity } from './types.js';

/** The default staging root: under /run, which the host-path policy denies to every mapping. */
export const DEFAULT_STAGING_ROOT = '/run/tether/staging';

const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

/** A namespace or session key must be one plain path segment. */
export function checkStageName(what: string, name: string): string {
  if (!SAFE_NAME.test(name) || name === '..') {
    throw new PrepareStepError('io', `${what} ${JSON.stringify(name)} is not usable in a staging path (expected letters, digits, '.', '_', '-', at most 128)`);
  }
  return name;
}

export function sessionStageDir(root: string, namespace: string, session: string): string {
  return `${root}/${checkStageName('staging namespace', namespace)}/${checkStageName('session key', session)}`;
}

export function newStageName(): string {
  return randomBytes(8).toString('hex');
}

/** Creates each missing level 0700 root-owned and refuses a level that is not a real folder. */
export async function ensureStageDir(path: string): Promise<void> {
  let cur = '';
  for (const part of path.split('/').filter(Boolean)) {
    cur += `/${part}`;
    try {
      await mkdir(cur, { mode: 0o700 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw stepError(`create staging folder ${JSON.stringify(cur)}`, err);
    }
    const st = await lstat(cur);
    if (!st.isDirectory()) throw new PrepareStepError('policy', `staging folder ${JSON.stringify(cur)} is not a real folder (a symlink or a file): expected Tether's own root-only folder`);
    // nobody else may swap a level for a symlink between this check and the mount: each level
    // is Tether's (root's), and writable by others only when sticky (as /tmp is)
    const sticky = (st.mode & 0o1000) !== 0;
    if (st.uid !== process.getuid?.() || ((st.mode & 0o022) !== 0 && !sticky)) {
      throw new PrepareStepError('policy', `staging folder ${JSON.stringify(cur)} is owned by uid ${st.uid} with mode ${(st.mode & 0o7777).toString(8)}: expected a folder only Tether (root) can change`);
    }
  }
}

/** Runs a command (argument array); resolves with its exit code and stderr. */
export function runTool(cmd: string, args: string[], extraFd?: number): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    const stdio: Array<'ignore' | 'pipe' | number> = ['ignore', 'ignore', 'pipe'];
    if (extraFd !== undefined) stdio.push(extraFd);
    const child = spawn(cmd, args, { stdio });
    let stderr = '';
    child.stderr?.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.on('error', (err) => resolve({ code: -1, stderr: err.message }));
    child.on('close', (code) => resolve({ code: code ?? -1, stderr: stderr.trim() }));
  });
}

/**
 * Binds the folder behind `handle` onto a new mount point in `dir` and proves the mount point
 * shows that object. --no-canonicalize: mount must not turn /proc/self/fd/3 back into a path
 * string and resolve it again (that would reopen the race this closes).
 */
export async function stageHandle(handle: FileHandle, expected: DirIdentity, dir: string): Promise<string> {
  await ensureStageDir(dir);
  const stagePath = `${dir}/${newStageName()}`;
  await mkdir(stagePath, { mode: 0o700 }).catch((err: unknown) => {
    throw stepError(`create stage ${JSON.stringify(stagePath)}`, err);
  });
  const r = await runTool('mount', ['--bind', '--no-canonicalize', '/proc/self/fd/3', stagePath], handle.fd);
  if (r.code !== 0) {
    await rmdir(stagePath).catch(() => undefined);
    // a folder removed after it was opened cannot be mounted: say so rather than blame mount
    const gone = await handle.stat().then((st) => st.nlink === 0, () => false);
    if (gone) throw new PrepareStepError('missing', `the prepared folder was removed while it was being prepared (expected it to stay)`);
    throw new PrepareStepError('io', `staging the prepared folder at ${JSON.stringify(stagePath)} failed: mount exited ${r.code}: ${r.stderr} (expected Tether to run as root with mount available)`);
  }
  const st = await stat(stagePath);
  const found = { dev: st.dev, ino: st.ino };
  if (!sameIdentity(found, expected)) {
    await unstage(stagePath);
    throw new PrepareStepError('policy', `the stage ${JSON.stringify(stagePath)} shows ${showIdentity(found)}, not the prepared folder (${showIdentity(expected)}); refused`);
  }
  return stagePath;
}

/** Detaches one stage (lazily: a container that mounted it keeps its mount) and removes its folder. */
export async function unstage(stagePath: string): Promise<void> {
  await runTool('umount', ['-l', stagePath]);
  await rmdir(stagePath).catch(() => undefined);
}

/**
 * Detaches every stage under a session's folder and removes the folder. Never walks into a
 * stage: the names come from the (tmpfs) session folder, the umount is lazy.
 */
export async function releaseStageDir(dir: string): Promise<number> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw err;
  }
  // one umount for all of them (a process start costs more than the unmounts themselves);
  // umount carries on past a path that is not mounted (a crash between mkdir and mount)
  const paths = names.map((name) => `${dir}/${name}`);
  if (paths.length > 0) await runTool('umount', ['-l', ...paths]);
  await Promise.all(paths.map((p) => rmdir(p).catch(() => undefined)));
  await rmdir(dir).catch(() => undefined);
  return names.length;
}

/** Releases every session folder of a namespace (crash leftovers); returns the stages released. */
export async function sweepNamespace(root: string, namespace: string): Promise<number> {
  const nsDir = `${root}/${checkStageName('staging namespace', namespace)}`;
  let sessions: string[];
  try {
    sessions = await readdir(nsDir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw err;
  }
  let n = 0;
  for (const s of sessions) n += await releaseStageDir(`${nsDir}/${s}`);
  await removeNamespaceDir(root, namespace);
  return n;
}

/** Removes a namespace's folder once nothing is staged in it (at close; kept while in use). */
export async function removeNamespaceDir(root: string, namespace: string): Promise<void> {
  await rmdir(`${root}/${checkStageName('staging namespace', namespace)}`).catch(() => undefined);
}
