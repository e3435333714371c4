// The shared-storage check on this host (types.ts, StorageProbeRequest): the fixed prefix is
// opened like prepare opens it (by path: the administrator's, symlinks in it allowed; its real
// path policy-checked); the marker inside it is created, read and removed through the prefix's
// descriptor, never through a symlink, and a FIFO or device planted under its name is not
// opened in a way that blocks (O_NONBLOCK) nor read.
// RUN ONLY INSIDE A DISPOSABLE WORKER PROCESS: every call may touch storage that hangs.
import { constants } from 'node:fs';
import { lstat, open, unlink, type FileHandle } from 'node:fs/promises';
import { PrepareStepError, stepError } from './classify.js';
import { fdPath, joinPath, kernelPath } from './beneath.js';
import { checkConnectivity, enforcePolicy, openPrefix, type PolicyCheck } from './prepare-steps.js';
import { STORAGE_MARKER_PREFIX } from './types.js';

export interface StorageStepsRequest {
  path: string;
  marker?: string;
  write?: string;
  read?: string;
  remove?: boolean;
}

export interface StorageStepsAnswer {
  exists: boolean;
  realPath?: string;
  markerSeen?: boolean;
  markerNote?: string;
}

/** a marker holds a short text; anything larger is not ours */
export const MARKER_MAX_BYTES = 4096;

const MARKER_NAME = /^[A-Za-z0-9-]{8,64}$/;

/** The marker's file name, or a refusal naming what is wrong (checked in the Tether process and again here). */
export function markerName(marker: string): string {
  if (!MARKER_NAME.test(marker)) throw new PrepareStepError('policy', `storage check marker ${JSON.stringify(marker)} is not 8-64 characters from A-Z, a-z, 0-9 and "-" (expected e.g. a UUID)`);
  return STORAGE_MARKER_PREFIX + marker;
}

export async function runStorageSteps(req: StorageStepsRequest, check: PolicyCheck): Promise<StorageStepsAnswer> {
  const name = req.marker === undefined ? undefined : markerName(req.marker);
  if (name === undefined && (req.write !== undefined || req.read !== undefined || req.remove)) {
    throw new PrepareStepError('io', `storage check of ${JSON.stringify(req.path)}: write, read or remove without a marker name (expected "marker")`);
  }
  let prefix: FileHandle;
  try {
    prefix = await openPrefix(req.path);
  } catch (err) {
    if (err instanceof PrepareStepError && err.failureClass === 'missing') return { exists: false };
    throw err;
  }
  try {
    const realPath = await kernelPath(prefix);
    enforcePolicy(check, realPath, `storage check of ${JSON.stringify(req.path)} (resolves to ${JSON.stringify(realPath)})`);
    await checkConnectivity(prefix, realPath);
    const answer: StorageStepsAnswer = { exists: true, realPath };
    if (name === undefined) return answer;
    const shown = joinPath(realPath, name);
    if (req.write !== undefined) await writeMarker(prefix, name, shown, req.write);
    if (req.read !== undefined) Object.assign(answer, await readMarker(prefix, name, shown, req.read));
    if (req.remove) await removeMarker(prefix, name, shown);
    return answer;
  } finally {
    await prefix.close().catch(() => undefined);
  }
}

async function writeMarker(prefix: FileHandle, name: string, shown: string, content: string): Promise<void> {
  if (Buffer.byteLength(content) > MARKER_MAX_BYTES) throw new PrepareStepError('io', `storage check marker content is larger than ${MARKER_MAX_BYTES} bytes`);
  let handle: FileHandle;
  try {
    // O_EXCL: never reuse what someone put there under this name (a symlink included)
    handle = await open(fdPath(prefix, name), constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new PrepareStepError('io', `${JSON.stringify(shown)} exists already: the storage check never writes through something it did not create`);
    throw stepError(`create storage check marker ${JSON.stringify(shown)}`, err);
  }
  try {
    await handle.writeFile(content);
    // written to the storage, not only to this host's cache, before others look for it
    await handle.sync();
  } catch (err) {
    throw stepError(`write storage check marker ${JSON.stringify(shown)}`, err);
  } finally {
    await handle.close().catch(() => undefined);
  }
}

async function readMarker(prefix: FileHandle, name: string, shown: string, expected: string): Promise<Pick<StorageStepsAnswer, 'markerSeen' | 'markerNote'>> {
  let handle: FileHandle;
  try {
    handle = await open(fdPath(prefix, name), constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { markerSeen: false, markerNote: `${JSON.stringify(shown)} is not there` };
    if (code === 'ELOOP') return { markerSeen: false, markerNote: `${JSON.stringify(shown)} is a symlink (not followed)` };
    throw stepError(`open storage check marker ${JSON.stringify(shown)}`, err);
  }
  try {
    const st = await handle.stat();
    // owner and mode are not compared: SSHFS, SMB and squashing NFS show their own; the content
    // (a secret of this check, not derivable from the name) is what proves it is the marker
    if (!st.isFile()) return { markerSeen: false, markerNote: `${JSON.stringify(shown)} is not a regular file (not the marker Tether wrote)` };
    if (st.size > MARKER_MAX_BYTES) return { markerSeen: false, markerNote: `${JSON.stringify(shown)} is larger than a marker` };
    const found = (await handle.readFile()).toString('utf8');
    return found === expected ? { markerSeen: true } : { markerSeen: false, markerNote: `${JSON.stringify(shown)} has other content (another check's marker, or not the same data)` };
  } catch (err) {
    throw stepError(`read storage check marker ${JSON.stringify(shown)}`, err);
  } finally {
    await handle.close().catch(() => undefined);
  }
}

async function removeMarker(prefix: FileHandle, name: string, shown: string): Promise<void> {
  try {
    const st = await lstat(fdPath(prefix, name));
    // unlink never follows a symlink; still, only a regular file can be the marker
    if (!st.isFile()) throw new PrepareStepError('io', `${JSON.stringify(shown)} is not a regular file: the storage check removes only its own marker`);
    await unlink(fdPath(prefix, name));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw stepError(`remove storage check marker ${JSON.stringify(shown)}`, err);
  }
}
