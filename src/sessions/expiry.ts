// session_time_limit: a running session is destroyed when its expires_at is reached. A timer
// per session gives precision; the periodic sweep catches what timers missed (restart).
import type { SessionContext } from './context.js';
import { later } from './context.js';
import { destroySession } from './destroy.js';
import { SYSTEM_ACTOR } from './types.js';

const MAX_TIMER_MS = 2 ** 31 - 1;

export function scheduleExpiry(ctx: SessionContext, sessionId: string, expiresAt: string): void {
  const ms = Math.max(0, new Date(expiresAt).getTime() - ctx.now().getTime());
  // setTimeout cannot wait longer than ~24.8 days; the periodic sweep handles those
  if (ms > MAX_TIMER_MS) return;
  later(ctx, ms, async () => {
    await expire(ctx, sessionId);
  });
}

export async function sweepExpired(ctx: SessionContext): Promise<string[]> {
  const t = ctx.now().getTime();
  const running = await ctx.store.sessions.list({ states: ['running'] });
  const due = running.filter((s) => s.expires_at !== null && new Date(s.expires_at).getTime() <= t);
  const expired: string[] = [];
  for (const s of due) if (await expire(ctx, s.session_id)) expired.push(s.session_id);
  return expired;
}

async function expire(ctx: SessionContext, sessionId: string): Promise<boolean> {
  const rec = await ctx.store.sessions.get(sessionId);
  if (rec?.state !== 'running' || rec.expires_at === null || new Date(rec.expires_at).getTime() > ctx.now().getTime()) return false;
  ctx.logger.info({ session_id: sessionId, expires_at: rec.expires_at }, 'session time limit reached: destroying');
  ctx.events.emit(sessionId, 'warning', { mapping: '', class: 'expired', message: `session time limit reached at ${rec.expires_at}` });
  await destroySession(ctx, sessionId, SYSTEM_ACTOR);
  return true;
}
