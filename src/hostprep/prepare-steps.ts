// The host-preparation steps of spec section 6, step 2.
// RUN ONLY INSIDE A DISPOSABLE WORKER PROCESS (worker.ts): every call here may touch mapped
// storage, and storage that hangs puts the calling thread into uninterruptible sleep.
// Async fs on purpose: a hung call holds one thread of the worker's (enlarged) pool, while
// requests for other storage in the same worker carry on.
import { chown, lstat, mkdir, open, opendir, realpath, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { PrepareStepError, stepError } from './classify.js';

export const DEFAULT_OWNER = 1000;

export interface StepsRequest {
  hostPath: string;
  fixedPrefix: string;
  uid: number | null;
  gid: number | null;
}

export type PolicyCheck = (path: string) => { ok: true } | { ok: false; reason: string; suggestion: string };

export interface StepsResult {
  realPath: string;
  created: string[];
}

function isInside(path: string, root: string): boolean {
  return root === '/' ? path.startsWith('/') : path === root || path.startsWith(root + '/');
}

function joinPath(dir: string, name: string): string {
  return dir === '/' ? `/${name}` : `${dir}/${name}`;
}

function enforcePolicy(check: PolicyCheck, path: string, what: string): void {
  const verdict = check(path);
  if (!verdict.ok) throw new PrepareStepError('policy', `${what}: ${verdict.reason}; ${verdict.suggestion}`);
}

async function requireDirectory(path: string, what: string): Promise<void> {
  let st;
  try {
    st = await stat(path);
  } catch (err) {
    throw stepError(`stat ${what} ${JSON.stringify(path)}`, err);
  }
  if (!st.isDirectory()) throw new PrepareStepError('not_directory', `${what} ${JSON.stringify(path)} is not a folder (expected a folder)`);
}

/** The components of hostPath below fixedPrefix; both normalized absolute paths. */
export function componentsBelow(hostPath: string, fixedPrefix: string): string[] {
  if (!isInside(hostPath, fixedPrefix)) {
    throw new PrepareStepError('io', `host path ${JSON.stringify(hostPath)} is not inside its fixed prefix ${JSON.stringify(fixedPrefix)} (expected the prefix to be the path up to its first token)`);
  }
  const rest = hostPath.slice(fixedPrefix === '/' ? 1 : fixedPrefix.length + 1);
  const parts = rest === '' ? [] : rest.split('/');
  if (parts.some((p) => p === '' || p === '.' || p === '..')) {
    throw new PrepareStepError('policy', `host path ${JSON.stringify(hostPath)} has an empty, "." or ".." segment below its fixed prefix (expected plain names)`);
  }
  return parts;
}

/**
 * The prefix must exist as a folder; only the part below it is created, one level at a time,
 * never following a symlink out of the prefix; the final real path is policy-checked before
 * ownership is changed (folder itself only) and connectivity is proved.
 */
export async function runPrepareSteps(req: StepsRequest, check: PolicyCheck): Promise<StepsResult> {
  const parts = componentsBelow(req.hostPath, req.fixedPrefix);
  let realPrefix: string;
  try {
    realPrefix = await realpath(req.fixedPrefix);
  } catch (err) {
    const e = stepError(`resolve fixed prefix ${JSON.stringify(req.fixedPrefix)}`, err);
    if (e.failureClass === 'missing') {
      throw new PrepareStepError('missing', `fixed prefix ${JSON.stringify(req.fixedPrefix)} does not exist (expected the administrator to create it first; Tether creates only the part below it)`);
    }
    throw e;
  }
  await requireDirectory(realPrefix, 'fixed prefix');
  // before creating anything: the real prefix plus the planned names must pass the policy
  enforcePolicy(check, parts.reduce(joinPath, realPrefix), `host path ${JSON.stringify(req.hostPath)} (prefix resolves to ${JSON.stringify(realPrefix)})`);

  const ownerUid = req.uid ?? DEFAULT_OWNER;
  const ownerGid = req.gid ?? DEFAULT_OWNER;
  const created: string[] = [];
  let current = realPrefix;
  for (const name of parts) {
    const next = joinPath(current, name);
    let st = await lstatOrNull(next);
    if (st === null) {
      try {
        await mkdir(next, { mode: 0o755 });
        created.push(next);
        await chown(next, ownerUid, ownerGid);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw stepError(`create ${JSON.stringify(next)}`, err);
      }
      st = await lstatOrNull(next);
      if (st === null) throw new PrepareStepError('io', `${JSON.stringify(next)} vanished right after it was created (expected it to stay)`);
    }
    if (st.isSymbolicLink()) {
      let target: string;
      try {
        target = await realpath(next);
      } catch (err) {
        throw stepError(`resolve symlink ${JSON.stringify(next)}`, err);
      }
      if (!isInside(target, realPrefix)) {
        throw new PrepareStepError('policy', `${JSON.stringify(next)} is a symlink to ${JSON.stringify(target)}, outside the fixed prefix ${JSON.stringify(realPrefix)} (expected folders below the prefix to stay inside it)`);
      }
      await requireDirectory(target, 'symlink target');
      current = target;
    } else if (!st.isDirectory()) {
      throw new PrepareStepError('not_directory', `${JSON.stringify(next)} exists but is not a folder (expected a folder to mount)`);
    } else {
      current = next;
    }
  }

  let realPath: string;
  try {
    realPath = await realpath(current);
  } catch (err) {
    throw stepError(`resolve ${JSON.stringify(current)}`, err);
  }
  await requireDirectory(realPath, 'host path');
  enforcePolicy(check, realPath, `host path ${JSON.stringify(req.hostPath)} resolves to ${JSON.stringify(realPath)}`);

  if ((req.uid !== null || req.gid !== null) && !created.includes(realPath)) {
    try {
      // the folder itself, never recursively: a huge share must not be walked
      await chown(realPath, req.uid ?? -1, req.gid ?? -1);
    } catch (err) {
      throw stepError(`chown ${JSON.stringify(realPath)} to ${req.uid ?? '-'}:${req.gid ?? '-'}`, err);
    }
  }
  await checkConnectivity(realPath);
  return { realPath, created };
}

async function lstatOrNull(path: string): Promise<Stats | null> {
  try {
    return await lstat(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw stepError(`lstat ${JSON.stringify(path)}`, err);
  }
}

/** Connectivity: the folder can be stat-ed and opened, and one entry read. */
export async function checkConnectivity(path: string): Promise<void> {
  try {
    await stat(path);
    const handle = await open(path, 'r');
    await handle.close();
    // opendir + one read: readdir would read the whole folder, and a huge share must not be walked
    const dir = await opendir(path, { bufferSize: 1 });
    try {
      await dir.read();
    } finally {
      await dir.close();
    }
  } catch (err) {
    throw stepError(`connectivity check of ${JSON.stringify(path)} (stat, open, read one entry)`, err);
  }
}
