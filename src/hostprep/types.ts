// Host preparation (spec section 6, step 2): on the host where the session will run,
// make the mapped folder ready and prove the storage answers, all within one deadline.

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
}

export type PrepareResult =
  | { ok: true; /** symlinks resolved, policy-checked path to mount */ realPath: string; created: string[] }
  | { ok: false; class: FailureClass; message: string };

export interface HostPreparer {
  /** Never rejects and never waits past timeoutMs (plus a small constant), whatever the storage does. */
  prepare(req: PrepareRequest, signal?: AbortSignal): Promise<PrepareResult>;
  close(): Promise<void>;
}
