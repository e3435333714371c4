// A launch's host preparation on the node placement chose. A required mapping that fails there
// for a reason local to that node is retried once, on the next eligible node:
// - missing: the path (or its fixed prefix) does not exist on that node: the share is not
//   mounted there, or the folder is node-local;
// - timeout: the storage did not answer in time there (a hung mount on that node).
// Not retried: policy and invalid mappings (the same rules refuse it everywhere), permission
// and not_directory (what the data itself is: on shared storage every node sees the same),
// io (unknown: retrying could hide a real fault), unless the node's agent no longer answers
// when asked again: then the node itself failed. On the single engine nothing is retried.
import type { Logger } from 'pino';
import type { HostPreparer } from '../hostprep/types.js';
import type { ImageRecord, SessionFailure, SessionPlacement, SessionWarning } from '../store/types.js';
import { sessionProblem, type SessionContext } from './context.js';
import type { PlannedMount, SessionMounts } from './effective-mounts.js';
import { noNodeMessage, byLoad, type Candidates, type PlacementTarget } from './placement.js';
import { prepareMounts, type MountOutcome } from './prepare-mounts.js';
import { setupProfile } from './profile-setup.js';
import { ACTIVE_STATES, type Actor, type SessionEventType } from './types.js';

/** failure classes local to the node they happened on (see above) */
export const RETRIED_CLASSES: ReadonlySet<string> = new Set(['missing', 'timeout']);

export type Prepared =
  | { ok: true; target: PlacementTarget; outcomes: MountOutcome[]; warnings: SessionWarning[]; placement: SessionPlacement | null }
  | { ok: false; failure: SessionFailure; placement: SessionPlacement | null };

export interface PrepareRequestOfLaunch {
  ctx: SessionContext;
  log: Logger;
  emit: (type: SessionEventType, data: Record<string, unknown>) => void;
  sessionId: string;
  userId: string;
  actor: Actor;
  image: ImageRecord;
  resolved: SessionMounts;
  profile: { plan: PlannedMount; reset: boolean } | null;
  signal: AbortSignal;
  /** every preparer that staged something for this session: the launch releases them all at its end */
  used: Set<HostPreparer>;
}

/** Active sessions per node id: recorded ones, and those being placed in this process (read at once, so concurrent launches spread). */
function loadNow(recorded: Map<string, string>, placing: ReadonlyMap<string, string>): Map<string, number> {
  const bySession = new Map([...recorded, ...placing]);
  const load = new Map<string, number>();
  for (const node of bySession.values()) load.set(node, (load.get(node) ?? 0) + 1);
  return load;
}

interface Ordered extends Candidates {
  load: Map<string, number>;
}

/** The eligible targets, least loaded first, the first one reserved for this session. */
async function orderedTargets(req: PrepareRequestOfLaunch): Promise<Ordered | SessionFailure> {
  const { ctx, image, signal } = req;
  let found: Candidates;
  try {
    found = await ctx.placement.candidates(image, signal);
  } catch (err) {
    return sessionProblem('', 'engine', `placement: the nodes could not be listed: ${err instanceof Error ? err.message : String(err)}`);
  }
  // the single engine: nothing to choose, nothing to count
  if (found.targets.every((t) => t.node === null)) return { ...found, load: new Map() };
  const recorded = new Map<string, string>();
  for (const s of await ctx.store.sessions.list({ states: [...ACTIVE_STATES] })) if (s.node) recorded.set(s.session_id, s.node.id);
  // no await from here to the reservation: the next launch counts this one
  const load = loadNow(recorded, ctx.placing);
  const targets = byLoad(found.targets, load);
  const first = targets[0] as PlacementTarget;
  if (first.node) ctx.placing.set(req.sessionId, first.node.id);
  return { targets, refused: found.refused, load };
}

export async function placeAndPrepare(req: PrepareRequestOfLaunch): Promise<Prepared> {
  const { ctx, log, emit, sessionId, signal } = req;
  const found = await orderedTargets(req);
  if (!('targets' in found)) return { ok: false, failure: found, placement: null };
  const { targets, refused, load } = found;
  if (targets.length === 0) {
    const message = noNodeMessage(refused.map((r) => ({ node: r.node.hostname, reason: r.reason })));
    return { ok: false, failure: sessionProblem('', 'placement', message), placement: { reason: message, tried: [] } };
  }
  const eligible = targets.length;
  const tried: SessionPlacement['tried'] = [];
  let lastFailure: SessionFailure | null = null;
  let resetDone = false;
  for (let attempt = 0; attempt < Math.min(2, targets.length); attempt++) {
    const target = targets[attempt] as PlacementTarget;
    if (target.node) ctx.placing.set(sessionId, target.node.id);
    req.used.add(target.preparer);
    const tried1 = await prepareOn(req, target, req.profile && { ...req.profile, reset: req.profile.reset && !resetDone });
    if (tried1.resetDone) resetDone = true;
    if (signal.aborted) return { ok: false, failure: sessionProblem('', 'cancelled', 'launch cancelled'), placement: null };
    const node = target.node;
    if (tried1.ok) {
      if (!node) return { ok: true, target, outcomes: tried1.outcomes, warnings: tried1.warnings, placement: null };
      tried.push({ node: node.hostname, outcome: 'placed' });
      const why = attempt === 0
        ? `least loaded of ${eligible} eligible node${eligible === 1 ? '' : 's'} (${node.hostname}: ${load.get(node.id) ?? 0} active)`
        : `retried on ${node.hostname}, the next least loaded, after ${tried[0]?.node}: ${tried[0]?.outcome}`;
      const notEligible = refused.length > 0 ? `; not eligible: ${refused.map((r) => `${r.node.hostname}: ${r.reason}`).join(', ')}` : '';
      return { ok: true, target, outcomes: tried1.outcomes, warnings: tried1.warnings, placement: { reason: why + notEligible, tried } };
    }
    let f = tried1.failure;
    if (node && f.class === 'io' && target.stillAnswers && !(await target.stillAnswers())) {
      f = { ...f, message: `its agent stopped answering (${f.message})` };
    } else if (!node || !RETRIED_CLASSES.has(f.class)) {
      // not about this node: the same everywhere, reported as it is
      return { ok: false, failure: f, placement: node ? { reason: `${node.hostname}: ${f.class}`, tried: [...tried, { node: node.hostname, outcome: `${f.class}: ${f.message}` }] } : null };
    }
    tried.push({ node: node.hostname, outcome: `${f.class}: ${f.message}` });
    lastFailure = f;
    await target.preparer.release(sessionId);
    const next = targets[attempt + 1];
    if (attempt === 0 && next?.node) {
      const message = `${node.hostname}: required mapping ${f.mapping || '(profile)'} failed (${f.class}); retrying once on ${next.node.hostname}`;
      log.warn({ node: node.hostname, class: f.class, mapping: f.mapping }, message);
      emit('warning', { mapping: f.mapping, class: 'placement', message });
    }
  }
  // every node tried failed for a reason of its own: one message naming every node
  const untried = targets.slice(tried.length).map((t) => ({ node: t.node?.hostname ?? '', reason: 'not tried (a launch is retried once)' }));
  const message = noNodeMessage([
    ...tried.map((t) => ({ node: t.node, reason: `required mapping failed: ${t.outcome}` })),
    ...untried,
    ...refused.map((r) => ({ node: r.node.hostname, reason: r.reason })),
  ]);
  const f = lastFailure as SessionFailure;
  return { ok: false, failure: sessionProblem(f.mapping, f.class, message), placement: { reason: message, tried } };
}

type Attempt =
  | { ok: true; outcomes: MountOutcome[]; warnings: SessionWarning[]; resetDone: boolean }
  | { ok: false; failure: SessionFailure; resetDone: boolean };

/** The profile (when any), then every mapping, on one target. */
async function prepareOn(req: PrepareRequestOfLaunch, target: PlacementTarget, profile: { plan: PlannedMount; reset: boolean } | null): Promise<Attempt> {
  const { ctx, log, emit, sessionId, signal } = req;
  const warnings: SessionWarning[] = [];
  let resetDone = false;
  if (profile) {
    const setup = await setupProfile({ ctx, log, emit, actor: req.actor, sessionId, userId: req.userId, preparer: target.preparer }, req.image, profile.plan, profile.reset, signal);
    warnings.push(...setup.warnings);
    if (setup.failure) {
      emit('mapping.failed', { ...setup.failure, required: true });
      return { ok: false, failure: setup.failure, resetDone };
    }
    resetDone = profile.reset;
  }
  const outcomes = await prepareMounts(req.resolved.view, req.resolved.planned, {
    preparer: target.preparer, logger: log, emit, onCheck: (result) => ctx.metrics?.volumeChecks.inc({ result }),
  }, sessionId, signal);
  const requiredFailure = outcomes.find((o) => !o.ok && o.planned.mount.required);
  if (requiredFailure?.failure) return { ok: false, failure: requiredFailure.failure, resetDone };
  return { ok: true, outcomes, warnings, resetDone };
}
