// Keepalive, as Kasm's API offers it: a client that still uses a session pushes its end back.
// The session's time limit (the smallest session_time_limit of its user's groups) then counts
// from the last keepalive instead of from the launch. It never shortens a session, and a
// session launched without a limit keeps none.
import type { SessionContext } from './context.js';
import { scheduleExpiry } from './expiry.js';
import { timeLimitFor } from './group-rules.js';
import { SessionError, type Actor, type KeepaliveResult } from './types.js';

export async function keepalive(ctx: SessionContext, sessionId: string, actor: Actor): Promise<KeepaliveResult> {
  const rec = await ctx.store.sessions.get(sessionId);
  if (!rec || (!actor.isAdmin && rec.user_id !== actor.user_id)) throw new SessionError('not_found', `session ${sessionId} not found`);
  if (rec.state === 'stopping' || rec.state === 'destroyed' || rec.state === 'failed') {
    throw new SessionError('invalid_state', `session ${sessionId} is ${rec.state}: there is nothing to keep alive`);
  }
  const unchanged: KeepaliveResult = { record: rec, extended: false, usage_reached: false };
  // Still launching: the time limit starts once it runs.
  if (rec.state !== 'running' || rec.expires_at === null) return unchanged;
  const limit = timeLimitFor(await ctx.store.groups.groupsOf(rec.user_id));
  if (limit === null) return unchanged;
  const now = ctx.now();
  const until = new Date(now.getTime() + limit * 1000).toISOString();
  if (Date.parse(rec.expires_at) >= Date.parse(until)) return unchanged;
  // Compare-and-set on running: a session that expires or is destroyed meanwhile stays so.
  if (!(await ctx.store.sessions.transition(sessionId, ['running'], { expires_at: until, updated_at: now.toISOString() }))) {
    const current = await ctx.store.sessions.get(sessionId);
    throw new SessionError('invalid_state', `session ${sessionId} is ${current?.state ?? 'gone'}: there is nothing to keep alive`);
  }
  // The timer set for the old time finds the new expires_at and does nothing (expiry.ts).
  scheduleExpiry(ctx, sessionId, until);
  ctx.logger.info({ session_id: sessionId, expires_at: until, actor: actor.username }, 'keepalive: time limit extended');
  return { record: { ...rec, expires_at: until, updated_at: now.toISOString() }, extended: true, usage_reached: false };
}
