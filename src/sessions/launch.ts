// The launch state machine (spec section 6), each step persisted with compare-and-set:
// requested -> preparing -> starting -> running, or failed with a reason and nothing left.
import { randomUUID } from 'node:crypto';
import { MappingDomainError } from '../mappings/index.js';
import { isRuntimeError } from '../runtime/errors.js';
import type { BindMount } from '../runtime/types.js';
import type { EffectiveMount } from '../mappings/types.js';
import type { SessionFailure, SessionRecord, SessionWarning } from '../store/types.js';
import { later, sessionProblem, transition, type SessionContext } from './context.js';
import { mountedView, mountsBasisOf } from './effective-mounts.js';
import { imageAccessProblem, maxSessionsFor, timeLimitFor } from './group-rules.js';
import { engineDeadlineMs } from './prepare-mounts.js';
import { placeAndPrepare } from './place-and-prepare.js';
import type { HostPreparer } from '../hostprep/types.js';
import { verifyMounts } from './verify-mounts.js';
import { ACTIVE_STATES, SessionError, type LaunchRequest } from './types.js';
import { scheduleExpiry } from './expiry.js';
import { removeSessionContainer } from './remove-container.js';
import { environmentList } from './environment.js';
import { confinementFor } from './container-confinement.js';
import { createWithProfileLock, decideProfile, planProfile, requestedMode, withProfile, type ProfileDecision } from './profile.js';
import type { PlannedMount } from './effective-mounts.js';
import type { Actor } from './types.js';

/** Serializes count-then-create per user so concurrent launches cannot overshoot the limit. */
const userLocks = new WeakMap<SessionContext, Map<string, Promise<unknown>>>();

async function withUserLock<T>(ctx: SessionContext, userId: string, fn: () => Promise<T>): Promise<T> {
  let locks = userLocks.get(ctx);
  if (!locks) userLocks.set(ctx, (locks = new Map()));
  const prev = locks.get(userId) ?? Promise.resolve();
  const run = prev.then(fn, fn);
  const tail = run.catch(() => undefined);
  locks.set(userId, tail);
  try {
    return await run;
  } finally {
    if (locks.get(userId) === tail) locks.delete(userId);
  }
}

/** Checks access and limits, records the session as requested and starts the pipeline. */
export async function beginLaunch(ctx: SessionContext, req: LaunchRequest): Promise<SessionRecord> {
  const startedAt = performance.now();
  const [user, image, groups] = await Promise.all([
    ctx.store.users.get(req.userId),
    ctx.store.images.get(req.imageId),
    ctx.store.groups.groupsOf(req.userId),
  ]);
  if (!user) throw new SessionError('user_not_found', `user ${req.userId} not found`);
  if (user.disabled) throw new SessionError('forbidden', `user "${user.username}" is disabled and cannot launch sessions`);
  if (!image) throw new SessionError('image_not_found', `image ${req.imageId} not found`);
  const access = imageAccessProblem(image, groups);
  if (access) throw new SessionError(image.enabled ? 'image_not_allowed' : 'image_disabled', access);
  const profileMode = decideProfile(image, groups, requestedMode(req.persistent_profile_mode));
  // the lock's key; a template that cannot be expanded for this user fails the launch later, with its reason
  let profilePath: string | null = null;
  if (profileMode === 'enabled' || profileMode === 'reset') {
    try {
      profilePath = planProfile(image, user, ctx.policy).mount.host_path;
    } catch (err) {
      if (!(err instanceof MappingDomainError)) throw err;
    }
  }
  // Registered as in flight before the record exists, so a concurrent reconcile never
  // mistakes this fresh `requested` session for one abandoned by a crash.
  const sessionId = randomUUID();
  const abort = new AbortController();
  let release!: (r: SessionRecord) => void;
  const placeholder = { kind: 'launch' as const, abort, done: new Promise<SessionRecord>((r) => (release = r)) };
  ctx.inFlight.set(sessionId, placeholder);
  const record = await withUserLock(ctx, user.user_id, async () => {
    const max = maxSessionsFor(groups);
    const active = await ctx.store.sessions.list({ user_id: user.user_id, states: [...ACTIVE_STATES] });
    if (active.length >= max) {
      throw new SessionError('limit_reached', `user "${user.username}" already has ${active.length} active sessions; the limit from their groups (max_sessions_per_user) is ${max}: destroy one first`);
    }
    const at = ctx.now().toISOString();
    const rec: SessionRecord = {
      session_id: sessionId, user_id: user.user_id, image_id: image.image_id, state: 'requested',
      container_id: null, host: null, mounts: null, warnings: [], error: null, mappings_digest: null,
      created_at: at, updated_at: at, expires_at: null,
    };
    // with a profile, the session exists only if it got the profile's lock (one writer)
    await createWithProfileLock(ctx.store, rec, profilePath);
    return rec;
  }).catch((err: unknown) => {
    ctx.inFlight.delete(sessionId);
    throw err;
  });
  ctx.events.emit(record.session_id, 'state', { state: 'requested', image: image.name, user: user.username });
  const used = new Set<HostPreparer>([ctx.preparer]);
  const done = runLaunch(ctx, record.session_id, abort.signal, environmentList(req.environment), { mode: profileMode, actor: req.actor }, used)
    .catch(async (err: unknown) => {
      // Unexpected (store down, bug): still roll back so nothing is left half done.
      ctx.logger.error({ err, session_id: record.session_id }, 'launch crashed');
      await rollback(ctx, record.session_id, null, sessionProblem('', 'internal', `launch failed unexpectedly: ${String(err)}`));
    })
    // the stages served the engine's create and start; a running container keeps its mounts
    .finally(async () => {
      ctx.placing.delete(record.session_id);
      await Promise.all([...used].map((p) => p.release(record.session_id)));
    })
    .then(async () => {
      const final = (await ctx.store.sessions.get(record.session_id)) as SessionRecord;
      ctx.metrics?.launches.inc({ outcome: final.state === 'running' ? 'running' : 'failed' });
      if (final.state === 'running') ctx.metrics?.launchDuration.observe((performance.now() - startedAt) / 1000);
      return final;
    })
    .finally(() => {
      if (ctx.inFlight.get(record.session_id) === placeholder) ctx.inFlight.delete(record.session_id);
    });
  void done.then(release, () => undefined);
  placeholder.done = done;
  return record;
}

async function runLaunch(ctx: SessionContext, sessionId: string, signal: AbortSignal, env: string[], profile: { mode: ProfileDecision; actor: Actor }, used: Set<HostPreparer>): Promise<void> {
  const log = ctx.logger.child({ session_id: sessionId });
  const emit = (type: Parameters<typeof ctx.events.emit>[1], data: Record<string, unknown>) => ctx.events.emit(sessionId, type, data);
  const rec = await ctx.store.sessions.get(sessionId);
  if (!rec || !(await transition(ctx, sessionId, ['requested'], 'preparing'))) return;
  const [user, image, groups] = await Promise.all([ctx.store.users.get(rec.user_id), ctx.store.images.get(rec.image_id), ctx.store.groups.groupsOf(rec.user_id)]);
  if (!user || !image) return void (await rollback(ctx, sessionId, null, sessionProblem('', 'internal', 'user or image deleted during launch')));
  log.info({ user: user.username, image: image.name }, 'launch: preparing');

  let resolved;
  let profilePlan: PlannedMount | null = null;
  try {
    resolved = ctx.resolveMounts(image, groups, user, ctx.policy);
    if (profile.mode === 'enabled' || profile.mode === 'reset') {
      profilePlan = planProfile(image, user, ctx.policy);
      resolved = withProfile(resolved, profilePlan);
    }
  } catch (err) {
    if (!(err instanceof MappingDomainError)) throw err;
    // escapes_prefix and policy are the safety policy refusing a path; the others a bad template or name
    const cls = err.code === 'policy' || err.code === 'escapes_prefix' ? 'policy' : 'invalid_mapping';
    const f = sessionProblem(err.location ?? '', cls, err.message);
    emit('mapping.failed', { ...f, required: true });
    ctx.metrics?.volumeChecks.inc({ result: 'policy' });
    return void (await rollback(ctx, sessionId, null, f));
  }

  if (profilePlan) {
    // the user's programs find their home in the profile
    env = [...env.filter((e) => !e.startsWith('HOME=')), `HOME=${profilePlan.mount.bind}`];
  }
  // where it runs: the profile (set up first: leftovers cleared, a missing one built from the
  // image's home, Reset done) and every mapping prepared there, retried once on another node
  const placed = await placeAndPrepare({
    ctx, log, emit, sessionId, userId: user.user_id, actor: profile.actor, image, resolved, signal, used,
    profile: profilePlan ? { plan: profilePlan, reset: profile.mode === 'reset' } : null,
  });
  if (signal.aborted) return void (await rollback(ctx, sessionId, null, sessionProblem('', 'cancelled', `launch cancelled: ${String((signal.reason as Error | undefined)?.message ?? 'destroyed')}`)));
  if (!placed.ok) {
    if (placed.placement) await ctx.store.sessions.update(sessionId, { placement: placed.placement });
    return void (await rollback(ctx, sessionId, null, placed.failure));
  }
  const { target, outcomes } = placed;
  const warnings: SessionWarning[] = [...placed.warnings];
  const leftOut = new Set<EffectiveMount>();
  for (const o of outcomes) {
    if (o.ok || !o.failure) continue;
    leftOut.add(o.planned.mount);
    const w = { ...o.failure, message: `left out (required: false): ${o.failure.message}` };
    warnings.push(w);
    emit('warning', { ...w });
  }
  const mounted = outcomes.filter((o) => o.ok);
  // the engine is handed the stages (root-only mount points of exactly the prepared folders)
  const binds: BindMount[] = mounted.map((o) => ({ source: o.source as string, target: o.planned.mount.bind, readOnly: o.planned.mount.mode === 'ro' }));
  const view = mountedView(resolved.view, leftOut);
  const where = target.node ? { node: target.node, host: target.node.hostname, placement: placed.placement } : {};
  if (!(await transition(ctx, sessionId, ['preparing'], 'starting', {
    mounts: view, warnings, mappings_digest: resolved.digest, mounts_basis: mountsBasisOf(image, groups, user, ctx.policy, profilePlan !== null), ...where,
  }))) return;
  log.info({ mounts: binds.length, warnings: warnings.length, node: target.node?.hostname }, 'launch: starting');

  // Image: present or pulled, progress on the stream.
  try {
    const auth = image.registry_auth_encrypted && ctx.decryptRegistryAuth ? ctx.decryptRegistryAuth(image.registry_auth_encrypted) : undefined;
    await ctx.runtime.ensureImage(image.docker_image, {
      ...(auth ? { auth } : {}),
      onProgress: (p) => emit('image.pull', { ...p }),
      signal: AbortSignal.any([signal, AbortSignal.timeout(ctx.pullTimeoutMs)]),
    });
  } catch (err) {
    return void (await rollback(ctx, sessionId, null, sessionProblem('', 'image', `image ${image.docker_image}: ${errorMessage(err)}`)));
  }

  // Create + start, bounded by the tightest deadline among the mounted mappings: the engine
  // touches every bind source here, and a hung source must not hang the launch.
  const deadlineMs = engineDeadlineMs(mounted.map((o) => o.planned.mount), ctx.engineTimeoutMs);
  let containerId: string | null = null;
  try {
    const cmd = ctx.containerCmd?.(image.docker_image);
    const instanceId = await ctx.store.instanceId();
    // each deadline starts when the call is sent, not while queued for a slot
    const id = await ctx.engineSlots.run(() => ctx.runtime.create({
      name: `tether-${sessionId}`, image: image.docker_image, user: image.user, mounts: binds,
      sessionId, userId: user.user_id, imageId: image.image_id, instanceId, ...confinementFor(image, ctx.containerDefaults),
      ...(cmd ? { cmd } : {}),
      ...(env.length > 0 ? { env } : {}),
      ...(target.node ? { node: target.node.id } : {}),
    }, AbortSignal.any([signal, AbortSignal.timeout(deadlineMs)])), signal);
    containerId = id;
    emit('container.created', { container_id: id });
    await ctx.store.sessions.update(sessionId, { container_id: id, updated_at: ctx.now().toISOString() });
    await ctx.engineSlots.run(() => ctx.runtime.start(id, AbortSignal.any([signal, AbortSignal.timeout(deadlineMs)])), signal);
    emit('container.started', { container_id: containerId });
  } catch (err) {
    const timedOut = isRuntimeError(err, 'aborted') && !signal.aborted;
    const cls = signal.aborted ? 'cancelled' : timedOut ? 'timeout' : 'engine';
    const what = containerId ? 'start' : 'create';
    const msg = timedOut
      ? `the engine did not ${what} the container within ${deadlineMs / 1000} s (the smallest timeout of the mounted mappings): a mapped storage may hang`
      : `container ${what} failed: ${errorMessage(err)}`;
    return void (await rollback(ctx, sessionId, containerId, sessionProblem(timedOut ? mountsLabel(mounted.map((o) => o.planned.label)) : '', cls, msg), !containerId));
  }

  // Every bind must show the very folder that was prepared: anything else is an attack.
  const mismatch = await verifyMounts({ logger: log, preparer: target.preparer, pidOf: ctx.placement.pidOf }, containerId, mounted, user.username, deadlineMs, signal);
  if (mismatch) return void (await rollback(ctx, sessionId, containerId, mismatch));

  const limit = timeLimitFor(groups);
  const expiresAt = limit === null ? null : new Date(ctx.now().getTime() + limit * 1000).toISOString();
  if (!(await transition(ctx, sessionId, ['starting'], 'running', { container_id: containerId, expires_at: expiresAt }))) {
    // destroyed while starting: the destroy removes the container; make sure of it here too
    await ctx.runtime.remove(containerId, AbortSignal.timeout(ctx.engineTimeoutMs)).catch(() => undefined);
    return;
  }
  if (expiresAt) scheduleExpiry(ctx, sessionId, expiresAt);
  log.info({ container_id: containerId, expires_at: expiresAt }, 'launch: running');
}

/**
 * Undoes a launch: removes its container (also one the engine creates late, after an
 * abandoned create), then marks it failed. Host data is never touched.
 */
export async function rollback(ctx: SessionContext, sessionId: string, containerId: string | null, error: SessionFailure, createAbandoned = false): Promise<void> {
  const log = ctx.logger.child({ session_id: sessionId });
  await removeSessionContainer(ctx, sessionId, containerId, { kill: true });
  const ok = await transition(ctx, sessionId, ['requested', 'preparing', 'starting'], 'failed', { error, container_id: null });
  log.warn({ error }, ok ? 'launch failed; rolled back' : 'launch interrupted (session no longer launching); rolled back');
  if (createAbandoned) {
    for (const ms of ctx.lateContainerChecksMs) {
      later(ctx, ms, async () => {
        const late = await ctx.runtime.findBySession(sessionId, AbortSignal.timeout(ctx.engineTimeoutMs));
        if (late) {
          log.warn({ container_id: late.id }, 'removing a container created after its launch was abandoned');
          await removeSessionContainer(ctx, sessionId, late.id, { kill: true });
        }
      });
    }
  }
}

function mountsLabel(labels: string[]): string {
  return labels.length === 1 ? (labels[0] as string) : labels.join(', ');
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
