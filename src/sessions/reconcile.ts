// Reconcile: bring the engine and the store back in agreement, at start and periodically.
// - a container of THIS instance (label tether.instance = the store's instance id) whose
//   session the store does not know, or whose session is destroyed/failed, is removed,
//   whoever its user is. Containers of other Tether instances on the same engine (another
//   database: a second server, a test run) carry another instance id and are left alone;
//   so are unlabelled ones (made before instance labels existed) unless their session is
//   one of ours;
// - a running session whose container vanished (or exited) is marked failed with the reason;
// - a session left in requested/preparing/starting by a crashed process is rolled back to
//   failed with its container removed; one left in stopping is finished to destroyed;
// - a persistent-profile lock whose session is no longer live is released;
// - swarm: a running session whose node is down or disconnected (or whose task Swarm marked
//   orphaned) is marked `lost`, the node named: its container cannot be checked, and may
//   still run there. When the node is back: its container still runs -> running again (the
//   user's work goes on; destroying it is theirs to decide); it is gone or stopped -> its
//   service is removed and the session failed with the reason. Host data is never touched.
// Sessions with a launch or destroy in flight in THIS process are left alone. One Tether
// server per database is assumed (two servers would each see the other's launches as stale).
import { sessionProblem, transition, type SessionContext } from './context.js';
import { removeSessionContainer } from './remove-container.js';
import { ACTIVE_STATES, FINAL_STATES, type ReconcileReport } from './types.js';
import { UNREACHABLE_NODE_STATES, type NodeStatus } from './placement.js';

export async function reconcile(ctx: SessionContext): Promise<ReconcileReport> {
  const report: ReconcileReport = { removedContainers: [], failedSessions: [], destroyedSessions: [], expiredSessions: [], lostSessions: [], recoveredSessions: [] };
  const log = ctx.logger.child({ task: 'reconcile' });
  // Containers first, then sessions: a session created in between is then known.
  const containers = await ctx.runtime.list(AbortSignal.timeout(ctx.engineTimeoutMs));
  const unreachable = new Map<string, NodeStatus>();
  for (const n of await ctx.placement.nodes(AbortSignal.timeout(ctx.engineTimeoutMs))) if (UNREACHABLE_NODE_STATES.includes(n.state)) unreachable.set(n.id, n);
  const sessions = await ctx.store.sessions.list();
  const byId = new Map(sessions.map((s) => [s.session_id, s]));
  const containerOf = new Map<string, (typeof containers)[number]>();

  const instanceId = await ctx.store.instanceId();
  const orphans: typeof containers = [];
  for (const c of containers) {
    const s = c.sessionId ? byId.get(c.sessionId) : undefined;
    if (c.sessionId && ctx.inFlight.has(c.sessionId)) continue;
    const ours = c.instanceId === instanceId || (c.instanceId === null && s !== undefined);
    if (!ours) {
      log.debug({ container_id: c.id, session_id: c.sessionId, instance: c.instanceId }, 'leaving a container of another Tether instance alone');
      continue;
    }
    if (!s || FINAL_STATES.includes(s.state)) orphans.push(c);
    else containerOf.set(s.session_id, c);
  }
  await eachLimited(orphans, async (c) => {
    log.warn({ container_id: c.id, session_id: c.sessionId }, 'removing a Tether container no live session owns');
    try {
      // nobody uses an orphan: no stop grace. On a node that does not answer a stop would wait
      // for a task that never reports: the service is removed, its node stops it when back.
      if (!(c.host !== null && unreachable.has(c.host))) await ctx.runtime.stop(c.id, { timeoutSeconds: 0, signal: AbortSignal.timeout(ctx.engineTimeoutMs) });
      await ctx.runtime.remove(c.id, AbortSignal.timeout(ctx.engineTimeoutMs));
      report.removedContainers.push(c.id);
    } catch (err) {
      log.error({ err, container_id: c.id }, 'could not remove orphan container');
    }
  });

  await eachLimited(sessions, async (s) => {
    if (FINAL_STATES.includes(s.state) || ctx.inFlight.has(s.session_id)) return;
    const c = containerOf.get(s.session_id);
    const slog = log.child({ session_id: s.session_id });
    const nodeId = s.node?.id ?? c?.host ?? null;
    const gone = nodeId === null ? undefined : unreachable.get(nodeId);
    const nodeName = s.node?.hostname ?? gone?.hostname ?? nodeId ?? 'its node';
    if (s.state === 'running' && (gone || c?.state === 'lost')) {
      const why = gone ? `node ${nodeName} is ${gone.state}` : `Swarm lost track of its task on node ${nodeName} (orphaned)`;
      const err = sessionProblem('', 'lost', `session lost: ${why}; its container could not be checked and may still run there (settled when the node is back)`);
      if (await transition(ctx, s.session_id, ['running'], 'lost', { error: err })) {
        slog.warn({ node: nodeName }, err.message);
        report.lostSessions.push(s.session_id);
      }
      return;
    }
    if (s.state === 'lost') {
      if (gone || c?.state === 'lost') return;
      if (c?.running) {
        if (await transition(ctx, s.session_id, ['lost'], 'running', { error: null })) {
          slog.warn({ node: nodeName }, `node ${nodeName} is back and the session's container still runs: running again`);
          report.recoveredSessions.push(s.session_id);
        }
        return;
      }
      const why = `node ${nodeName} came back without the session's container (${c ? `engine state ${c.state}` : 'it is gone'})`;
      await removeSessionContainer(ctx, s.session_id, c?.id ?? s.container_id, { kill: true });
      if (await transition(ctx, s.session_id, ['lost'], 'failed', { error: sessionProblem('', 'vanished', `session failed: ${why}`), container_id: null })) {
        slog.warn(why);
        report.failedSessions.push(s.session_id);
      }
      return;
    }
    if (s.state === 'running') {
      if (c?.running) return;
      // The container list is a snapshot taken earlier: a launch may have finished since.
      const fresh = s.container_id ? await ctx.runtime.inspect(s.container_id, AbortSignal.timeout(ctx.engineTimeoutMs)).catch(() => undefined) : undefined;
      if (fresh?.running) return;
      const why = c ? `its container ${c.id} is no longer running (engine state ${c.state})` : `its container ${s.container_id ?? '(unknown)'} vanished from the engine`;
      if (c) await removeSessionContainer(ctx, s.session_id, c.id, { kill: true });
      if (await transition(ctx, s.session_id, ['running'], 'failed', { error: sessionProblem('', 'vanished', `session failed: ${why}`), container_id: null })) {
        slog.warn(why);
        report.failedSessions.push(s.session_id);
      }
    } else if (s.state === 'stopping') {
      await removeSessionContainer(ctx, s.session_id, c?.id ?? null);
      if (await transition(ctx, s.session_id, ['stopping'], 'destroyed', { container_id: null })) {
        slog.warn('finished a destroy interrupted by a restart');
        report.destroyedSessions.push(s.session_id);
      }
    } else {
      // requested / preparing / starting, and no launch of ours: the process that launched it died.
      await removeSessionContainer(ctx, s.session_id, c?.id ?? null, { kill: true });
      const err = sessionProblem('', 'interrupted', `launch interrupted in state ${s.state} (Tether restarted); rolled back, launch again`);
      if (await transition(ctx, s.session_id, [s.state], 'failed', { error: err, container_id: null })) {
        slog.warn(err.message);
        report.failedSessions.push(s.session_id);
      }
    }
  });
  // profile locks of sessions that ended without releasing them (a crash between the two writes)
  const released = await ctx.store.profileLocks.releaseStale(ACTIVE_STATES);
  for (const l of released) log.warn({ session_id: l.session_id, profile: l.profile_path }, 'released the profile lock of a session that is no longer live');
  ctx.events.prune();
  return report;
}

/** Runs fn over items, at most `limit` at a time (the engine handles a few removals at once well). */
async function eachLimited<T>(items: T[], fn: (item: T) => Promise<void>, limit = 8): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
