// Persistent profiles, the host side beyond ordinary preparation (which mounts the profile like
// any mapping): clearing leftovers, building a new (seeded) profile, and Reset.
//
// Crash safety of Reset: the new profile is built completely in `.tether-new~<name>` next to
// the profile, then two renames in the profile's parent swap it in: the old profile becomes
// `.tether-reset~<name>`, the new one takes its name. Only then is the old one deleted. A crash
// at any point leaves the old profile, or no profile (the next launch creates a fresh one), or
// the new one; never a half-deleted profile under the profile's name. Leftovers are removed at
// the next launch of that profile. '~' cannot appear in a username or an id, so these names
// never collide with another user's profile.
// RUN ONLY INSIDE A DISPOSABLE WORKER PROCESS: every step touches profile storage.
import { lstat, mkdir, rename, type FileHandle } from 'node:fs/promises';
import { PrepareStepError, stepError } from './classify.js';
import { fdPath, joinPath, kernelPath, openBeneath } from './beneath.js';
import { componentsBelow, enforcePolicy, openOrCreate, openPrefix, type PolicyCheck } from './prepare-steps.js';
import { emptyCount, removeEntry, type RemovalCount } from './remove-tree.js';
import { extractSeed, type SeedCount } from './seed-extract.js';

export const TRASH_MARK = '.tether-reset~';
export const NEW_MARK = '.tether-new~';

export interface ProfileStepsRequest {
  hostPath: string;
  fixedPrefix: string;
  uid: number;
  gid: number;
}

export interface ProbeResult {
  /** something (a folder, or anything else: prepare judges it) has the profile's name */
  exists: boolean;
  /** leftovers of an interrupted reset or build, removed now */
  leftovers: RemovalCount;
}

export interface BuildResult {
  /** the old profile was swapped out (reset) */
  swapped: boolean;
  /** the new profile took the name (false: someone else's folder appeared meanwhile and was kept) */
  placed: boolean;
  seeded: SeedCount | null;
}

/** Opens the profile's parent below the fixed prefix (created like prepare does) and calls fn. */
async function withParent<T>(req: ProfileStepsRequest, check: PolicyCheck, fn: (parent: FileHandle, name: string, shown: string) => Promise<T>): Promise<T> {
  const parts = componentsBelow(req.hostPath, req.fixedPrefix);
  const name = parts.pop();
  if (name === undefined) throw new PrepareStepError('policy', `persistent profile path ${JSON.stringify(req.hostPath)} is its fixed prefix itself (expected a per-user folder below it)`);
  const prefix = await openPrefix(req.fixedPrefix);
  let cur = prefix;
  try {
    const realPrefix = await kernelPath(prefix);
    enforcePolicy(check, [...parts, name].reduce(joinPath, realPrefix), `persistent profile ${JSON.stringify(req.hostPath)} (prefix resolves to ${JSON.stringify(realPrefix)})`);
    let shown = realPrefix;
    for (const part of parts) {
      shown = joinPath(shown, part);
      const next = await openOrCreate(cur, part, shown, { uid: req.uid, gid: req.gid });
      if (cur !== prefix) await cur.close();
      cur = next.handle;
    }
    const realParent = await kernelPath(cur);
    enforcePolicy(check, joinPath(realParent, name), `persistent profile ${JSON.stringify(req.hostPath)} resolves to ${JSON.stringify(joinPath(realParent, name))}`);
    return await fn(cur, name, joinPath(realParent, name));
  } finally {
    if (cur !== prefix) await cur.close().catch(() => undefined);
    await prefix.close().catch(() => undefined);
  }
}

async function exists(parent: FileHandle, name: string): Promise<boolean> {
  try {
    await lstat(fdPath(parent, name));
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

async function removeIfThere(parent: FileHandle, name: string, shown: string, count: RemovalCount): Promise<void> {
  if (!(await exists(parent, name))) return;
  const dev = (await parent.stat()).dev;
  await removeEntry(parent, name, shown, count, dev);
}

/** Removes leftovers of an interrupted reset or build and says whether the profile exists. */
export async function probeProfile(req: ProfileStepsRequest, check: PolicyCheck): Promise<ProbeResult> {
  return withParent(req, check, async (parent, name, shown) => {
    const leftovers = emptyCount();
    await removeIfThere(parent, TRASH_MARK + name, `${shown} (trash of an earlier reset)`, leftovers);
    await removeIfThere(parent, NEW_MARK + name, `${shown} (unfinished new profile)`, leftovers);
    return { exists: await exists(parent, name), leftovers };
  });
}

/**
 * Builds a new profile (seeded from seedTar when given) beside the profile and puts it in place:
 * with `reset`, the old profile is first renamed to the trash name (in one rename, so no session
 * ever sees it half deleted); without, only when no profile exists.
 */
export async function buildProfile(req: ProfileStepsRequest & { reset: boolean; seedTar: string | null }, check: PolicyCheck): Promise<BuildResult> {
  return withParent(req, check, async (parent, name, shown) => {
    const newName = NEW_MARK + name;
    const leftovers = emptyCount();
    await removeIfThere(parent, newName, `${shown} (unfinished new profile)`, leftovers);
    // root-only while it is filled: nobody can plant anything in it meanwhile
    try {
      await mkdir(fdPath(parent, newName), { mode: 0o700 });
    } catch (err) {
      throw stepError(`create the new profile beside ${JSON.stringify(shown)}`, err);
    }
    const fresh = await openBeneath(parent, newName, `${shown} (new)`, { where: 'beside a profile' });
    if (fresh === null) throw new PrepareStepError('io', `the new profile beside ${JSON.stringify(shown)} vanished right after it was created`);
    let seeded: SeedCount | null = null;
    try {
      // the parent may be writable from a session: prove this is still the root-only folder made
      // above (a user could rename it away and put their own in its place before the open)
      const st = await fresh.stat();
      if (st.uid !== process.getuid?.() || (st.mode & 0o777) !== 0o700) {
        throw new PrepareStepError('policy', `the new profile beside ${JSON.stringify(shown)} was replaced while it was being created (expected Tether's root-only folder, found owner ${st.uid} mode ${(st.mode & 0o777).toString(8)}): someone is swapping folders there`);
      }
      if (req.seedTar !== null) seeded = await extractSeed(req.seedTar, fresh, { uid: req.uid, gid: req.gid });
      await fresh.chown(req.uid, req.gid);
      await fresh.chmod(0o755);
    } catch (err) {
      throw stepError(`seed the new profile of ${JSON.stringify(shown)} from the image's home`, err);
    } finally {
      await fresh.close();
    }
    let swapped = false;
    if (req.reset && (await exists(parent, name))) {
      try {
        await rename(fdPath(parent, name), fdPath(parent, TRASH_MARK + name));
        swapped = true;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EBUSY' || code === 'EXDEV') {
          throw new PrepareStepError('io', `Reset cannot swap ${JSON.stringify(shown)}: it is a mount point (${code}); Reset replaces the profile folder by rename, so its content must be removed by hand`);
        }
        throw stepError(`move the old profile ${JSON.stringify(shown)} aside`, err);
      }
    }
    try {
      // onto a missing name, or an empty folder; a non-empty one (someone else's) stays
      await rename(fdPath(parent, newName), fdPath(parent, name));
      return { swapped, placed: true, seeded };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST' && code !== 'ENOTDIR' && code !== 'EISDIR') throw stepError(`put the new profile in place at ${JSON.stringify(shown)}`, err);
      await removeIfThere(parent, newName, `${shown} (unused new profile)`, emptyCount());
      return { swapped, placed: false, seeded: null };
    }
  });
}

/** Deletes the old profile a reset moved aside; counts what went. */
export async function purgeProfileTrash(req: ProfileStepsRequest, check: PolicyCheck): Promise<RemovalCount> {
  return withParent(req, check, async (parent, name, shown) => {
    const count = emptyCount();
    await removeIfThere(parent, TRASH_MARK + name, `${shown} (old profile)`, count);
    // what the profile held: its own (renamed) folder is not counted
    if (count.entries > 0 && !(await exists(parent, TRASH_MARK + name))) count.entries--;
    return count;
  });
}
