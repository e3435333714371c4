// createSessionManager: the session use-cases behind one object the API, the CLI's server
// and the tests share. The work itself lives in launch.ts, destroy.ts, reconcile.ts, expiry.ts.
import { hostname } from 'node:os';
import type { SessionRecord, SessionState } from '../store/types.js';
import type { SessionContext, SessionManagerOptions } from './context.js';
import { basisChanges, currentDigest, mountsBasisOf, resolveSessionMounts } from './effective-mounts.js';
import { EventLog } from './event-log.js';
import { beginDestroy, destroySession } from './destroy.js';
import { scheduleExpiry, sweepExpired } from './expiry.js';
import { beginLaunch } from './launch.js';
import { keepalive } from './keepalive.js';
import { reconcile } from './reconcile.js';
import { Semaphore } from './semaphore.js';
import { singleEnginePlacement } from './placement.js';
import { BUILT_IN_CONTAINER_DEFAULTS } from './container-confinement.js';
import { ACTIVE_STATES, LAUNCH_DONE_STATES, SessionError, type SessionEvent, type SessionManager } from './types.js';

export type { SessionManagerOptions } from './context.js';

export function createSessionManager(opts: SessionManagerOptions): SessionManager {
  const now = opts.now ?? (() => new Date());
  const ctx: SessionContext = {
    store: opts.store, runtime: opts.runtime, preparer: opts.preparer, policy: opts.policy, logger: opts.logger, now,
    events: new EventLog(now),
    engineTimeoutMs: opts.engineTimeoutMs ?? 60_000,
    pullTimeoutMs: opts.pullTimeoutMs ?? 15 * 60_000,
    containerDefaults: opts.containerDefaults ?? BUILT_IN_CONTAINER_DEFAULTS,
    lateContainerChecksMs: opts.lateContainerChecksMs ?? [1_000, 5_000, 15_000, 60_000, 300_000],
    engineSlots: new Semaphore(opts.engineConcurrency ?? 4),
    inFlight: new Map(),
    timers: new Set(),
    ...(opts.metrics ? { metrics: opts.metrics } : {}),
    ...(opts.decryptRegistryAuth ? { decryptRegistryAuth: opts.decryptRegistryAuth } : {}),
    ...(opts.containerCmd ? { containerCmd: opts.containerCmd } : {}),
    ...(opts.onSessionEnding ? { onSessionEnding: opts.onSessionEnding } : {}),
    resolveMounts: opts.resolveMounts ?? resolveSessionMounts,
    placement: opts.placement ?? singleEnginePlacement(opts.preparer, (id, signal) => opts.runtime.inspect(id, signal), hostname()),
    placing: new Map(),
  };
  const background: NodeJS.Timeout[] = [];
  let closed = false;
  let reconciling: Promise<unknown> = Promise.resolve();

  /**
   * Whether a running session drifted, from what its mounts were computed from (no merge); a
   * session launched before that was recorded is compared by merging again. Null: not running.
   */
  async function driftOf(record: SessionRecord) {
    if (record.state !== 'running' || (!record.mounts_basis && record.mappings_digest === null)) return null;
    const [user, image, groups] = await Promise.all([ctx.store.users.get(record.user_id), ctx.store.images.get(record.image_id), ctx.store.groups.groupsOf(record.user_id)]);
    if (!user || !image) return { drift: true, user, image, groups, changes: [!user ? 'the user was deleted' : 'the image was deleted'] };
    const basis = record.mounts_basis;
    const changes = basis
      ? basisChanges(basis, mountsBasisOf(image, groups, user, ctx.policy, basis.profile !== null))
      : currentDigest(ctx.resolveMounts, image, groups, user, ctx.policy) !== record.mappings_digest ? ['the effective mounts differ today'] : [];
    return { drift: changes.length > 0, user, image, groups, changes };
  }

  async function waitForLaunch(sessionId: string): Promise<SessionRecord> {
    const f = ctx.inFlight.get(sessionId);
    if (f?.kind === 'launch') return f.done;
    const rec = await ctx.store.sessions.get(sessionId);
    if (!rec) throw new SessionError('not_found', `session ${sessionId} not found`);
    return rec;
  }

  async function* events(sessionId: string, o: { until?: readonly SessionState[]; signal?: AbortSignal } = {}): AsyncIterable<SessionEvent> {
    const until = o.until ?? LAUNCH_DONE_STATES;
    const queue: SessionEvent[] = [];
    let wake: (() => void) | null = null;
    // Subscribe before reading the history so nothing falls between the two.
    const unsubscribe = ctx.events.subscribe(sessionId, (e) => {
      queue.push(e);
      wake?.();
    });
    const onAbort = () => wake?.();
    o.signal?.addEventListener('abort', onAbort);
    try {
      let lastSeq = 0;
      let history = ctx.events.history(sessionId);
      if (history.length === 0) {
        // Launched by an earlier process (or history expired): start from the stored state.
        const rec = await ctx.store.sessions.get(sessionId);
        if (!rec) throw new SessionError('not_found', `session ${sessionId} not found`);
        history = ctx.events.has(sessionId) ? ctx.events.history(sessionId) : [ctx.events.emit(sessionId, 'state', { state: rec.state, replayed: true })];
      }
      for (const e of history) {
        lastSeq = e.seq;
        yield e;
        if (isEnd(e, until)) return;
      }
      for (;;) {
        while (queue.length > 0) {
          const e = queue.shift() as SessionEvent;
          if (e.seq <= lastSeq) continue;
          lastSeq = e.seq;
          yield e;
          if (isEnd(e, until)) return;
        }
        if (o.signal?.aborted || closed) return;
        await new Promise<void>((r) => (wake = r));
        wake = null;
      }
    } finally {
      unsubscribe();
      o.signal?.removeEventListener('abort', onAbort);
    }
  }

  return {
    launch: (req) => beginLaunch(ctx, req),
    waitForLaunch,
    destroy: (id, actor) => destroySession(ctx, id, actor),
    beginDestroy: (id, actor) => beginDestroy(ctx, id, actor),
    keepalive: (id, actor) => keepalive(ctx, id, actor),
    reconcile() {
      // never two at once (the periodic one and an explicit call)
      const run = reconciling.then(() => reconcile(ctx));
      reconciling = run.catch(() => undefined);
      return run;
    },
    sweepExpired: () => sweepExpired(ctx),
    events,
    async drift(record) {
      return (await driftOf(record))?.drift ?? null;
    },
    async explainDrift(record) {
      const found = await driftOf(record);
      if (found === null || !found.drift) return found === null ? null : { drift: false, changes: [], mounts_now: null, error: null };
      const { user, image, groups, changes } = found;
      if (!user || !image) return { drift: true, changes, mounts_now: null, error: null };
      // Merging again only here: to show what the mounts would be today.
      try {
        return { drift: true, changes, mounts_now: ctx.resolveMounts(image, groups, user, ctx.policy).view, error: null };
      } catch (err) {
        return { drift: true, changes, mounts_now: null, error: err instanceof Error ? err.message : String(err) };
      }
    },
    async nodes(signal) {
      const [nodes, active] = await Promise.all([ctx.placement.nodes(signal), ctx.store.sessions.list({ states: [...ACTIVE_STATES] })]);
      // the single engine's one node holds every session; a swarm node those recorded on it
      const on = (id: string) => active.filter((s) => (ctx.placement.kind === 'single' ? true : s.node?.id === id));
      return nodes.map((n) => {
        const mine = on(n.id);
        return { ...n, sessions: { active: mine.length, running: mine.filter((s) => s.state === 'running').length, lost: mine.filter((s) => s.state === 'lost').length } };
      });
    },
    startBackground(b = {}) {
      const tick = (what: string, fn: () => Promise<unknown>) => () => {
        fn().catch((err: unknown) => ctx.logger.error({ err }, `${what} failed`));
      };
      const r = setInterval(tick('reconcile', () => this.reconcile()), b.reconcileEveryMs ?? 30_000);
      const s = setInterval(tick('expiry sweep', () => sweepExpired(ctx)), b.sweepEveryMs ?? 5_000);
      r.unref();
      s.unref();
      background.push(r, s);
      // timers for sessions that were already running before this process started
      void ctx.store.sessions.list({ states: ['running'] }).then((running) => {
        for (const rec of running) if (rec.expires_at) scheduleExpiry(ctx, rec.session_id, rec.expires_at);
      }).catch((err: unknown) => ctx.logger.error({ err }, 'could not schedule expiries'));
    },
    async close() {
      closed = true;
      for (const t of background) clearInterval(t);
      // Launches still in flight are cancelled (rolled back to failed, class cancelled) rather
      // than left for the next start's reconcile; destroys are finished.
      for (const f of ctx.inFlight.values()) if (f.kind === 'launch') f.abort.abort(new Error('server shutting down'));
      await Promise.allSettled([...ctx.inFlight.values()].map((f) => f.done));
      // only now: a rolled-back launch schedules its late-container checks while it finishes
      for (const t of ctx.timers) clearTimeout(t);
      ctx.timers.clear();
    },
  };
}

function isEnd(e: SessionEvent, until: readonly SessionState[]): boolean {
  return e.type === 'state' && until.includes(e.data.state as SessionState);
}
