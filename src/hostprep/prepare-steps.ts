// The host-preparation steps of spec section 6, step 2, done through descriptors.
// RUN ONLY INSIDE A DISPOSABLE WORKER PROCESS (worker.ts): every call here may touch mapped
// storage, and storage that hangs puts the calling thread into uninterruptible sleep.
// Async fs on purpose: a hung call holds one thread of the worker's (enlarged) pool, while
// requests for other storage in the same worker carry on.
//
// The fixed prefix is opened by path (it is the administrator's; symlinks in it are allowed);
// every component below it is opened relative to its parent's descriptor without following
// symlinks (beneath.ts), created through the parent's descriptor, and chowned through its own
// descriptor. The final descriptor is what gets staged (staging.ts) and mounted: the engine
// mounts exactly the object checked here, whatever anyone does to the path meanwhile.
import { mkdir, opendir, type FileHandle } from 'node:fs/promises';
import { PrepareStepError, stepError } from './classify.js';
import { fdPath, identityOf, joinPath, kernelPath, openBeneath, openRootDir } from './beneath.js';
import type { DirIdentity } from './types.js';
import { stageHandle } from './staging.js';
import { fromHost, resolveInHost } from './host-root.js';

export const DEFAULT_OWNER = 1000;

const BELOW_PREFIX = { where: 'below the fixed prefix' };

export interface StepsRequest {
  hostPath: string;
  fixedPrefix: string;
  uid: number | null;
  gid: number | null;
  /** skip_check: walked and staged the same way, but nothing is created, chowned or read */
  skipCheck: boolean;
  /** the session's staging folder (staging.ts); the stage is made inside it */
  stageDir: string;
}

export type PolicyCheck = (path: string) => { ok: true } | { ok: false; reason: string; suggestion: string };

export interface StepsResult {
  realPath: string;
  created: string[];
  /** the stage path to hand to the engine */
  source: string;
  identity: DirIdentity;
}

function isInside(path: string, root: string): boolean {
  return root === '/' ? path.startsWith('/') : path === root || path.startsWith(root + '/');
}

export function enforcePolicy(check: PolicyCheck, path: string, what: string): void {
  const verdict = check(path);
  if (!verdict.ok) throw new PrepareStepError('policy', `${what}: ${verdict.reason}; ${verdict.suggestion}`);
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

export async function openPrefix(fixedPrefix: string): Promise<FileHandle> {
  try {
    return await openRootDir(await resolveInHost(fixedPrefix));
  } catch (err) {
    const e = stepError(`open fixed prefix ${JSON.stringify(fixedPrefix)}`, err);
    if (e.failureClass === 'missing') {
      throw new PrepareStepError('missing', `fixed prefix ${JSON.stringify(fixedPrefix)} does not exist (expected the administrator to create it first; Tether creates only the part below it)`);
    }
    if (e.failureClass === 'not_directory') throw new PrepareStepError('not_directory', `fixed prefix ${JSON.stringify(fixedPrefix)} is not a folder (expected a folder)`);
    throw e;
  }
}

/** Opens `name` below `parent`, creating it (owner uid:gid, through descriptors) when missing. */
export async function openOrCreate(parent: FileHandle, name: string, shown: string, owner: { uid: number; gid: number } | null): Promise<{ handle: FileHandle; created: boolean }> {
  const existing = await openBeneath(parent, name, shown, BELOW_PREFIX);
  if (existing) return { handle: existing, created: false };
  if (owner === null) throw new PrepareStepError('missing', `${JSON.stringify(shown)} does not exist (skip_check: Tether creates nothing; expected the folder to exist)`);
  let made = true;
  try {
    await mkdir(fdPath(parent, name), { mode: 0o755 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw stepError(`create ${JSON.stringify(shown)}`, err);
    made = false; // created by someone else meanwhile: used as found, not chowned as ours
  }
  const handle = await openBeneath(parent, name, shown, BELOW_PREFIX);
  if (handle === null) throw new PrepareStepError('io', `${JSON.stringify(shown)} vanished right after it was created (expected it to stay)`);
  if (made) {
    try {
      await handle.chown(owner.uid, owner.gid);
    } catch (err) {
      await handle.close();
      throw stepError(`chown ${JSON.stringify(shown)} to ${owner.uid}:${owner.gid}`, err);
    }
  }
  return { handle, created: made };
}

/**
 * The prefix must exist as a folder; only the part below it is created, one level at a time,
 * never through a symlink; the final real path is policy-checked before ownership is changed
 * (folder itself only) and connectivity is proved; then the folder is staged.
 */
export async function runPrepareSteps(req: StepsRequest, check: PolicyCheck): Promise<StepsResult> {
  const parts = componentsBelow(req.hostPath, req.fixedPrefix);
  const prefix = await openPrefix(req.fixedPrefix);
  let cur = prefix;
  try {
    const realPrefix = await kernelPath(prefix);
    // before creating anything: the real prefix plus the planned names must pass the policy
    enforcePolicy(check, parts.reduce(joinPath, realPrefix), `host path ${JSON.stringify(req.hostPath)} (prefix resolves to ${JSON.stringify(realPrefix)})`);
    const newOwner = req.skipCheck ? null : { uid: req.uid ?? DEFAULT_OWNER, gid: req.gid ?? DEFAULT_OWNER };
    const created: string[] = [];
    let shown = realPrefix;
    let lastCreated = false;
    for (const name of parts) {
      shown = joinPath(shown, name);
      const next = await openOrCreate(cur, name, shown, newOwner);
      await cur.close();
      cur = next.handle;
      lastCreated = next.created;
      if (next.created) created.push(shown);
    }
    // the kernel's path of the object we hold: what the policy judges, before any change to it
    const realPath = await kernelPath(cur);
    enforcePolicy(check, realPath, `host path ${JSON.stringify(req.hostPath)} resolves to ${JSON.stringify(realPath)}`);
    if (!req.skipCheck) {
      if ((req.uid !== null || req.gid !== null) && !lastCreated) {
        try {
          // the folder itself, never recursively: a huge share must not be walked
          await cur.chown(req.uid ?? -1, req.gid ?? -1);
        } catch (err) {
          throw stepError(`chown ${JSON.stringify(realPath)} to ${req.uid ?? '-'}:${req.gid ?? '-'}`, err);
        }
      }
      await checkConnectivity(cur, realPath);
    }
    const identity = await identityOf(cur);
    const source = fromHost(await stageHandle(cur, identity, req.stageDir));
    return { realPath, created, source, identity };
  } finally {
    await cur.close().catch(() => undefined);
    if (cur !== prefix) await prefix.close().catch(() => undefined);
  }
}

/** Connectivity: the folder can be stat-ed and one entry read, through its descriptor. */
export async function checkConnectivity(handle: FileHandle, shown: string): Promise<void> {
  try {
    await handle.stat();
    // opendir + one read: readdir would read the whole folder, and a huge share must not be walked
    const dir = await opendir(fdPath(handle), { bufferSize: 1 });
    try {
      await dir.read();
    } finally {
      await dir.close();
    }
  } catch (err) {
    throw stepError(`connectivity check of ${JSON.stringify(shown)} (stat, read one entry)`, err);
  }
}
