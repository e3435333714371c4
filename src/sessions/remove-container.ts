// Removing a session's container, shared by launch (rollback), destroy and reconcile.
import type { SessionContext } from './context.js';

/**
 * Removes the session's container (by id, then by label); errors logged, never thrown.
 * `kill`: no SIGTERM grace (a rolled-back launch or an orphan: nobody used it); a destroy
 * keeps the runtime's grace so the session's programs can flush their files.
 */
export async function removeSessionContainer(ctx: SessionContext, sessionId: string, containerId: string | null, opts: { kill?: boolean } = {}): Promise<void> {
  try {
    const id = containerId ?? (await ctx.runtime.findBySession(sessionId, AbortSignal.timeout(ctx.engineTimeoutMs)))?.id ?? null;
    if (!id) return;
    if (opts.kill) await ctx.runtime.stop(id, { timeoutSeconds: 0, signal: AbortSignal.timeout(ctx.engineTimeoutMs) });
    await ctx.runtime.remove(id, AbortSignal.timeout(ctx.engineTimeoutMs));
    ctx.events.emit(sessionId, 'container.removed', { container_id: id });
  } catch (err) {
    ctx.logger.error({ err, session_id: sessionId }, 'could not remove the session container; reconcile will retry');
  }
}
