// What launch, destroy, reconcile and expiry share: dependencies plus the in-process state
// (launches in flight, follow-up timers, the event log).
import type { Logger } from 'pino';
import type { HostPathPolicy } from '../mappings/types.js';
import type { HostPreparer } from '../hostprep/types.js';
import type { RegistryAuth, Runtime } from '../runtime/types.js';
import type { SessionRecord, SessionProblem, SessionState, Store } from '../store/types.js';
import type { TetherMetrics } from '../metrics/metrics.js';
import type { EventLog } from './event-log.js';
import type { Semaphore } from './semaphore.js';
import type { ContainerDefaults } from './container-confinement.js';
import type { MountsResolver } from './effective-mounts.js';
import type { Placement } from './placement.js';

export interface SessionManagerOptions {
  store: Store;
  runtime: Runtime;
  preparer: HostPreparer;
  policy: HostPathPolicy;
  logger: Logger;
  now?: () => Date;
  metrics?: TetherMetrics;
  /** decrypts an image's registry_auth_encrypted; without it such images pull anonymously */
  decryptRegistryAuth?: (encrypted: string) => RegistryAuth;
  /** command for images without a long-running default (tests); undefined = the image's own */
  containerCmd?: (imageDockerRef: string) => string[] | undefined;
  /** deadline of engine calls when no mount bounds them (image pull excluded) */
  engineTimeoutMs?: number;
  /** deadline of an image pull */
  pullTimeoutMs?: number;
  /** when to look again for a container whose create was abandoned */
  lateContainerChecksMs?: number[];
  /** engine create/start calls in flight at once (default 4); see slots.ts */
  engineConcurrency?: number;
  /** cores, memory and pids limit for images that set none; default BUILT_IN_CONTAINER_DEFAULTS */
  containerDefaults?: ContainerDefaults;
  /** told when a session stops being usable (stopping, failed, destroyed), so what is open on it closes at once */
  onSessionEnding?: (sessionId: string, state: SessionState) => void;
  /** how effective mounts are resolved; default resolveSessionMounts (tests pass a counting one) */
  resolveMounts?: MountsResolver;
  /** where sessions may run (a swarm's nodes); default the single engine with `preparer` */
  placement?: Placement;
}

export interface InFlight {
  kind: 'launch' | 'destroy';
  abort: AbortController;
  done: Promise<SessionRecord>;
}

export interface SessionContext {
  store: Store;
  runtime: Runtime;
  preparer: HostPreparer;
  policy: HostPathPolicy;
  logger: Logger;
  now: () => Date;
  metrics?: TetherMetrics;
  events: EventLog;
  decryptRegistryAuth?: (encrypted: string) => RegistryAuth;
  containerCmd?: (imageDockerRef: string) => string[] | undefined;
  engineTimeoutMs: number;
  pullTimeoutMs: number;
  containerDefaults: ContainerDefaults;
  lateContainerChecksMs: number[];
  /** bounds concurrent create/start calls so their deadlines measure the storage, not the queue */
  engineSlots: Semaphore;
  /** launches and destroys running in THIS process, by session id */
  inFlight: Map<string, InFlight>;
  /** follow-up timers (late containers, expiry): cleared on close */
  timers: Set<NodeJS.Timeout>;
  onSessionEnding?: (sessionId: string, state: SessionState) => void;
  resolveMounts: MountsResolver;
  placement: Placement;
  /** launches of THIS process being placed: session id -> the node id reserved (counts as load until recorded) */
  placing: Map<string, string>;
}

/** Persists a state change with compare-and-set and announces it on the progress stream. */
export async function transition(
  ctx: SessionContext,
  sessionId: string,
  from: SessionState[],
  to: SessionState,
  patch: Partial<Omit<SessionRecord, 'session_id' | 'created_at' | 'state'>> = {},
): Promise<boolean> {
  const ok = await ctx.store.sessions.transition(sessionId, from, { ...patch, state: to, updated_at: ctx.now().toISOString() });
  if (ok) {
    const data: Record<string, unknown> = { state: to };
    if (patch.error) data.error = patch.error;
    if (patch.container_id) data.container_id = patch.container_id;
    ctx.events.emit(sessionId, 'state', data);
    if (to === 'failed' || to === 'destroyed') {
      ctx.events.retire(sessionId);
      // its container is gone: the profile it held may be mounted by the next session (reconcile retries a failure)
      await ctx.store.profileLocks.release(sessionId).catch((err: unknown) => ctx.logger.warn({ err, session_id: sessionId }, 'could not release the profile lock; reconcile will'));
    }
    if (to === 'stopping' || to === 'failed' || to === 'destroyed') ctx.onSessionEnding?.(sessionId, to);
  }
  return ok;
}

/** A problem met launching a session (a warning it starts with, or the failure that ends it); the one way to make either. */
export function sessionProblem(mapping: string, cls: string, message: string): SessionProblem {
  return { mapping, class: cls, message };
}

/** Runs fn after ms unless the manager closes first; never keeps the process alive. */
export function later(ctx: SessionContext, ms: number, fn: () => Promise<void>): void {
  const t = setTimeout(() => {
    ctx.timers.delete(t);
    fn().catch((err: unknown) => ctx.logger.error({ err }, 'follow-up task failed'));
  }, ms);
  t.unref();
  ctx.timers.add(t);
}
