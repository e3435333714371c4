// The Runtime interface: where session containers live. Backends: docker/ (one engine,
// local socket or DOCKER_HOST); swarm/ (a one-replica service per session). One contract suite covers every backend.
// Anything that can hang takes an AbortSignal.
import type { Duplex } from 'node:stream';
import type { ContainerHardening } from './hardening.js';

export interface BindMount {
  /** absolute host path, already expanded, policy-checked and prepared */
  source: string;
  target: string;
  readOnly: boolean;
}

export interface ContainerSpec {
  /** engine container name, e.g. tether-<session id> */
  name: string;
  image: string;
  /** "uid:gid" or null for the image's own user */
  user: string | null;
  mounts: BindMount[];
  /** labels: tether=1, tether.session, tether.user, tether.image are always set by the backend from these */
  sessionId: string;
  userId: string;
  imageId: string;
  /** the Tether instance that owns it (label tether.instance); reconcile only touches its own */
  instanceId?: string;
  cores: number | null;
  /** bytes */
  memory: number | null;
  env?: string[];
  /** command to run when the image has no long-running default (tests) */
  cmd?: string[];
  /**
   * swarm: the node id the session is pinned to (placement constraint node.id==...), chosen by
   * the caller; absent = wherever Swarm schedules it. A single engine ignores it.
   */
  node?: string;
  /** network, capabilities, no-new-privileges, pids limit; absent = DEFAULT_HARDENING (hardening.ts) */
  hardening?: ContainerHardening;
}

export interface ContainerInfo {
  id: string;
  name: string;
  sessionId: string | null;
  running: boolean;
  /** engine state string: created, running, exited, ... */
  state: string;
  /** the main process in the engine host's pid namespace while running; null otherwise (or from a list answer) */
  pid: number | null;
  /** node/host the container runs on; null for a single engine */
  host: string | null;
  mounts: Array<{ source: string; target: string; readOnly: boolean }>;
  user: string;
  /** from the tether.* labels; null when absent */
  userId: string | null;
  imageId: string | null;
  /** the tether.instance label: the Tether instance that created it; null on older containers */
  instanceId: string | null;
  /** the image reference the container was created from */
  image: string;
  labels: Record<string, string>;
  /** resource limits as the engine applied them; null = unlimited */
  limits: { nanoCpus: number | null; memory: number | null };
  /** ISO time the engine created it */
  createdAt: string;
}

export interface PullProgress {
  status: string;
  id?: string;
  current?: number;
  total?: number;
}

export interface RegistryAuth {
  username: string;
  password: string;
  serveraddress?: string;
}

export interface ExecOptions {
  /** the command, as an argument array (never a shell string built from input) */
  cmd: string[];
  /** a TTY (people) or not (piped input, stdout and stderr apart) */
  tty: boolean;
  /** attach the command's stdin */
  stdin: boolean;
  env?: string[];
}

/** A command running in a container (Runtime.exec). */
export interface ContainerExec {
  /** with a TTY: everything the command prints; without: its stdout */
  output: NodeJS.ReadableStream;
  /** without a TTY: its stderr, apart; null with a TTY */
  stderr: NodeJS.ReadableStream | null;
  write(data: Buffer): void;
  /** closes the command's stdin (half-close) */
  endInput(): void;
  /** with a TTY: its size; without: nothing */
  resize(cols: number, rows: number): Promise<void>;
  /** the exit code once the output ended (null when the engine does not know) */
  exitCode(): Promise<number | null>;
  /** ends the connection (the command gets a hangup) */
  close(): void;
}

export interface Runtime {
  readonly kind: 'docker' | 'swarm';
  /** true when the engine runs on this machine (local unix socket): host preparation can run locally */
  readonly local: boolean;
  /** Makes the image present on the target, pulling it when missing. */
  ensureImage(ref: string, opts: { auth?: RegistryAuth; onProgress?: (p: PullProgress) => void; signal?: AbortSignal }): Promise<void>;
  /**
   * Creates the container; returns its id. docker: created, not started. swarm: returns once
   * the session's task runs (start is then a no-op), or fails with the task's error.
   */
  create(spec: ContainerSpec, signal?: AbortSignal): Promise<string>;
  start(id: string, signal?: AbortSignal): Promise<void>;
  /** Stops (SIGTERM, then SIGKILL after timeoutSeconds, default 5); stopped or missing is fine. */
  stop(id: string, opts?: { timeoutSeconds?: number; signal?: AbortSignal }): Promise<void>;
  /** Stops and removes; a missing container is not an error. Never touches bind sources. */
  remove(id: string, signal?: AbortSignal): Promise<void>;
  inspect(id: string, signal?: AbortSignal): Promise<ContainerInfo | undefined>;
  /** every container labelled tether=1 */
  list(signal?: AbortSignal): Promise<ContainerInfo[]>;
  /** the container with this session label, if any (to find a late container after an abandoned create) */
  findBySession(sessionId: string, signal?: AbortSignal): Promise<ContainerInfo | undefined>;
  /** Runs a command in the running container, as the container's own user. */
  exec(id: string, opts: ExecOptions): Promise<ContainerExec>;
  /**
   * A raw TCP stream to `port` of the running container (the app proxy's last hop), once
   * connected. Rejects with NotFoundError when the container is gone or has no address to reach,
   * 'unavailable' when nothing accepts the connection (the app is not listening yet, the
   * node's agent does not answer), AbortedError when the signal fires first.
   */
  dial(id: string, port: number, signal?: AbortSignal): Promise<Duplex>;
  /**
   * Writes a tar of folder `path` of image `ref` (present) to the new file `dest`, without running
   * the image; false when the image has no such folder. Seeds persistent profiles; optional.
   */
  copyFromImage?(ref: string, path: string, dest: string, signal?: AbortSignal): Promise<boolean>;
}
