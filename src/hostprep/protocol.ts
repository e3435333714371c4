// Messages between the Tether process and a host-preparation worker process (IPC, JSON).
import type { HostPathPolicy } from '../mappings/index.js';
import type { BindCheck, DirIdentity, FailureClass, ProfileStepAnswer, VerifyFinding } from './types.js';
import type { StorageStepsAnswer } from './storage-steps.js';

export interface PrepareWork {
  op: 'prepare';
  hostPath: string;
  fixedPrefix: string;
  uid: number | null;
  gid: number | null;
  skipCheck: boolean;
  stageDir: string;
  policy: HostPathPolicy;
}

export interface VerifyWork {
  op: 'verify';
  /** the container's main process, in this host's pid namespace */
  pid: number;
  checks: BindCheck[];
}

/** Persistent profiles beyond ordinary preparation (profile-steps.ts). */
export interface ProfileWork {
  op: 'profile';
  step: 'probe' | 'build' | 'purge';
  hostPath: string;
  fixedPrefix: string;
  uid: number;
  gid: number;
  /** build: move the existing profile aside first */
  reset: boolean;
  /** build: a tar of the image's home on Tether's own disk, or null */
  seedTar: string | null;
  policy: HostPathPolicy;
}

/** The shared-storage check of one fixed prefix (storage-steps.ts). */
export interface StorageWork {
  op: 'storage';
  path: string;
  marker?: string;
  write?: string;
  read?: string;
  remove?: boolean;
  policy: HostPathPolicy;
}

/** hostRoot: where the worker sees the node's / (host-root.ts); absent = '/' */
export type Work = (PrepareWork | VerifyWork | ProfileWork | StorageWork) & { hostRoot?: string };

export type WorkerRequest = Work & { id: number };

export type WorkerResponse =
  | { id: number; ok: true; realPath: string; created: string[]; source: string; identity: DirIdentity }
  | { id: number; ok: true; findings: VerifyFinding[] }
  | { id: number; ok: true; profile: ProfileStepAnswer }
  | { id: number; ok: true; storage: StorageStepsAnswer }
  | { id: number; ok: false; class: FailureClass; message: string };

export function isWorkerResponse(msg: unknown): msg is WorkerResponse {
  return typeof msg === 'object' && msg !== null && typeof (msg as { id?: unknown }).id === 'number' && typeof (msg as { ok?: unknown }).ok === 'boolean';
}

/** What a request is about, for log lines. */
export function describeWork(w: Work): string {
  if (w.op === 'profile') return `profile ${w.step} of ${JSON.stringify(w.hostPath)}`;
  if (w.op === 'storage') return `the storage check of ${JSON.stringify(w.path)}`;
  return w.op === 'prepare' ? JSON.stringify(w.hostPath) : `the mounts of container process ${w.pid}`;
}

/** requests one worker process handles at once */
export const WORKER_CONCURRENCY = 8;
/** its thread pool: room for every concurrent request, hung or not, and some slack */
export const WORKER_THREADS = WORKER_CONCURRENCY * 2;
