// Messages between the Tether process and a host-preparation worker process (IPC, JSON).
import type { HostPathPolicy } from '../mappings/index.js';
import type { FailureClass } from './types.js';

export interface WorkerRequest {
  id: number;
  hostPath: string;
  fixedPrefix: string;
  uid: number | null;
  gid: number | null;
  policy: HostPathPolicy;
}

export type WorkerResponse =
  | { id: number; ok: true; realPath: string; created: string[] }
  | { id: number; ok: false; class: FailureClass; message: string };

export function isWorkerResponse(msg: unknown): msg is WorkerResponse {
  return typeof msg === 'object' && msg !== null && typeof (msg as { id?: unknown }).id === 'number' && typeof (msg as { ok?: unknown }).ok === 'boolean';
}

/** requests one worker process handles at once */
export const WORKER_CONCURRENCY = 8;
/** its thread pool: room for every concurrent request, hung or not, and some slack */
export const WORKER_THREADS = WORKER_CONCURRENCY * 2;
