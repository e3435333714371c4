// Host preparation (spec section 6, step 2): on the host where the session will run,
// make the mapped folder ready and prove the storage answers, all within one deadline;
// stage it so the engine mounts exactly that folder; after start, verify the mounts.
/** The identity of a folder: device and inode, as fstat reports them. */
export interface DirIdentity {
  dev: number;
  ino: number;
}

export type FailureClass = 'timeout' | 'missing' | 'permission' | 'not_directory' | 'policy' | 'io';

export interface PrepareRequest {
  /** expanded host path */
  hostPath: string;
  /** the template's fixed prefix (expanded path up to the first token); must already exist */
  fixedPrefix: string;
  uid: number | null;
  gid: number | null;
  skipCheck: boolean;
  /** milliseconds for every step that touches this storage */
  timeoutMs: number;
  /**
   * groups this request's stage with others for release(session), e.g. the session id;
   * one plain path segment (letters, digits, '.', '_', '-')
   */
  session: string;
}

export type PrepareResult =
  | {
      ok: true;
      /** the kernel's path of the prepared folder (symlinks in the prefix resolved), policy-checked */
      realPath: string;
      created: string[];
      /** the stage: the path to hand to the engine as the bind source (see staging.ts) */
      source: string;
      /** device and inode of the prepared folder: what the container must show at its bind */
      identity: DirIdentity;
    }
  | { ok: false; class: FailureClass; message: string };

/** One bind to verify inside a running container. */
export interface BindCheck {
  /** absolute path inside the container */
  target: string;
  expected: DirIdentity;
}

export interface VerifyFinding {
  target: string;
  expected: DirIdentity;
  /** what the container shows at the target; null when nothing could be opened there */
  found: DirIdentity | null;
  ok: boolean;
  /** why found is null or differs */
  message?: string;
}

export type VerifyResult = { ok: true; findings: VerifyFinding[] } | { ok: false; class: FailureClass; message: string };

/** Persistent profiles beyond ordinary preparation (see profile-steps.ts). */
export interface ProfileStepRequest {
  hostPath: string;
  fixedPrefix: string;
  /** owner of anything created: the session's user */
  uid: number;
  gid: number;
  timeoutMs: number;
}

export interface RemovalSummary {
  entries: number;
  bytes: number;
  otherMounts: number;
  failed: number;
  errors: string[];
}

export type ProfileStepAnswer =
  | { step: 'probe'; exists: boolean; leftovers: RemovalSummary }
  | { step: 'build'; swapped: boolean; placed: boolean; seeded: { entries: number; bytes: number; skipped: number } | null }
  | { step: 'purge'; removed: RemovalSummary };

export type ProfileStepResult<S extends ProfileStepAnswer['step']> = ({ ok: true } & Extract<ProfileStepAnswer, { step: S }>) | { ok: false; class: FailureClass; message: string };

/** Profile work, in the same disposable workers and under the same deadline rule as prepare. */
export interface ProfilePreparer {
  /** removes leftovers of an interrupted reset and says whether the profile exists */
  probeProfile(req: ProfileStepRequest, signal?: AbortSignal): Promise<ProfileStepResult<'probe'>>;
  /** builds a new profile (seeded from seedTar) beside it and swaps it in (reset) or places it (missing) */
  buildProfile(req: ProfileStepRequest & { reset: boolean; seedTar: string | null }, signal?: AbortSignal): Promise<ProfileStepResult<'build'>>;
  /** deletes the old profile a reset moved aside */
  purgeProfileTrash(req: ProfileStepRequest, signal?: AbortSignal): Promise<ProfileStepResult<'purge'>>;
}

/**
 * The shared-storage check of one mapped path's fixed prefix on one host: does it exist and
 * answer; optionally write a marker file in it, read one back, remove one. A marker is
 * `<prefix>/.tether-storage-check-<marker>`, a regular file created 0600 (by root) holding a
 * secret of the check; nothing below the prefix is followed through a symlink. Order within
 * one call: write, read, remove.
 */
export interface StorageProbeRequest {
  /** the fixed prefix (absolute, normalized); symlinks in it are followed (the administrator's), its real path is policy-checked */
  path: string;
  timeoutMs: number;
  /** the marker's name part: 8-64 characters from [A-Za-z0-9-] (e.g. a UUID) */
  marker?: string;
  /** create the marker with this content (refused if something has its name already) */
  write?: string;
  /** read the marker and compare its content with this */
  read?: string;
  /** remove the marker (only a regular file; a missing one is fine) */
  remove?: boolean;
}

export const STORAGE_MARKER_PREFIX = '.tether-storage-check-';

export type StorageProbeResult =
  | {
      ok: true;
      /** milliseconds the whole probe took on that host */
      ms: number;
      /** false: the prefix does not exist there (nothing else was tried) */
      exists: boolean;
      /** the kernel's path of the prefix (symlinks resolved), when it exists */
      realPath?: string;
      /** with read: the marker is there with the expected content */
      markerSeen?: boolean;
      /** with read and markerSeen false: what was found instead (absent, other content, not a regular file) */
      markerNote?: string;
    }
  | { ok: false; class: FailureClass; message: string; ms: number };

export interface HostPreparer {
  /** absent on preparers that cannot do it yet (the engine helper): profiles are then mounted unseeded and Reset is refused */
  profiles?: ProfilePreparer;
  /**
   * The shared-storage check, in the same disposable workers and under the same deadline rule as
   * prepare: never rejects, never waits past timeoutMs (plus a small constant). Absent on
   * preparers that cannot do it (the engine helper): the health check reports "not supported".
   */
  probeStorage?(req: StorageProbeRequest, signal?: AbortSignal): Promise<StorageProbeResult>;
  /** Never rejects and never waits past timeoutMs (plus a small constant), whatever the storage does. */
  prepare(req: PrepareRequest, signal?: AbortSignal): Promise<PrepareResult>;
  /**
   * After the container started: what is mounted at each bind target inside the container whose
   * main process is `pid` (in the engine host's pid namespace). Findings with ok: false are a
   * mismatch (the session must not run); { ok: false } means the check itself could not run.
   */
  verify(pid: number, checks: BindCheck[], timeoutMs: number, signal?: AbortSignal): Promise<VerifyResult>;
  /** Detaches the stages of a session (once its container runs, or on rollback); never rejects. */
  release(session: string): Promise<void>;
  /** Removes leftovers of a crashed run of this instance (stages, helper containers); returns how many. */
  sweep(signal?: AbortSignal): Promise<number>;
  close(): Promise<void>;
}
