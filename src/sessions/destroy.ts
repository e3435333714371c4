// Destroy: running (or still launching) -> stopping -> destroyed. Stops and removes the
// container; never touches anything under a mapped host path (the runtime's remove only
// removes the container, never its bind sources).
import type { SessionRecord } from '../store/types.js';
import { transition, type SessionContext } from './context.js';
import { removeSessionContainer } from './remove-container.js';
import { SessionError, type Actor } from './types.js';

/** lost too: its node may never come back, and the user must be able to let it go */
const DESTROYABLE = ['requested', 'preparing', 'starting', 'running', 'lost'] as const;

/** Moves the session to stopping and returns the work that finishes the destroy. */
export async function beginDestroy(ctx: SessionContext, sessionId: string, actor: Actor, reason = 'destroy requested'): Promise<{ record: SessionRecord; done: Promise<SessionRecord> }> {
  const rec = await ctx.store.sessions.get(sessionId);
  if (!rec || (!actor.isAdmin && rec.user_id !== actor.user_id)) throw new SessionError('not_found', `session ${sessionId} not found`);
  const existing = ctx.inFlight.get(sessionId);
  if (rec.state === 'stopping' && existing?.kind === 'destroy') return { record: rec, done: existing.done };
  if (rec.state === 'destroyed' || rec.state === 'failed') return { record: rec, done: Promise.resolve(rec) };
  if (rec.state === 'stopping') {
    // left in stopping by a crashed process: finish it here
    return { record: rec, done: track(ctx, sessionId, finishDestroy(ctx, sessionId, null)) };
  }
  if (!(await transition(ctx, sessionId, [...DESTROYABLE], 'stopping', {}))) {
    // state moved under us (launch failed, another destroy): report what it is now
    return beginDestroy(ctx, sessionId, actor, reason);
  }
  ctx.logger.info({ session_id: sessionId, actor: actor.username, reason }, 'destroy: stopping');
  // A launch in flight is cancelled and awaited first (bounded by its deadlines), so its
  // container exists or is gone before we look for it.
  const launch = existing?.kind === 'launch' ? existing : undefined;
  launch?.abort.abort(new Error(reason));
  const record = (await ctx.store.sessions.get(sessionId)) as SessionRecord;
  return { record, done: track(ctx, sessionId, finishDestroy(ctx, sessionId, launch?.done ?? null)) };
}

export async function destroySession(ctx: SessionContext, sessionId: string, actor: Actor): Promise<SessionRecord> {
  const { done } = await beginDestroy(ctx, sessionId, actor);
  return done;
}

async function finishDestroy(ctx: SessionContext, sessionId: string, launchDone: Promise<unknown> | null): Promise<SessionRecord> {
  if (launchDone) await launchDone.catch(() => undefined);
  const rec = await ctx.store.sessions.get(sessionId);
  await removeSessionContainer(ctx, sessionId, rec?.container_id ?? null);
  // The container may be gone by id but another one carrying the label may linger (late create).
  const stray = await ctx.runtime.findBySession(sessionId, AbortSignal.timeout(ctx.engineTimeoutMs)).catch(() => undefined);
  if (stray) await removeSessionContainer(ctx, sessionId, stray.id);
  await transition(ctx, sessionId, ['stopping'], 'destroyed', { container_id: null });
  ctx.logger.info({ session_id: sessionId }, 'destroy: destroyed');
  return (await ctx.store.sessions.get(sessionId)) as SessionRecord;
}

function track(ctx: SessionContext, sessionId: string, done: Promise<SessionRecord>): Promise<SessionRecord> {
  const entry = { kind: 'destroy' as const, abort: new AbortController(), done };
  ctx.inFlight.set(sessionId, entry);
  void done.finally(() => {
    if (ctx.inFlight.get(sessionId) === entry) ctx.inFlight.delete(sessionId);
  }).catch(() => undefined);
  return done;
}
