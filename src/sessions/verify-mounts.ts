// After start, before `running`: every bind inside the container must be the very folder host
// preparation opened, checked and staged (same device and inode). A mismatch means someone
// got another folder mounted: the session fails with class `policy` and the log says `attack`.
import type { HostPreparer } from '../hostprep/types.js';
import type { SessionFailure } from '../store/types.js';
import type { Placement } from './placement.js';
import type { SessionContext } from './context.js';
import { sessionProblem } from './context.js';
import type { MountOutcome } from './prepare-mounts.js';

const showId = (id: { dev: number; ino: number } | null | undefined): string => (id ? `${id.dev}:${id.ino}` : 'nothing');

/** null when every bind is the prepared folder; else the failure to roll back with. */
export async function verifyMounts(
  ctx: Pick<SessionContext, 'logger'> & { preparer: HostPreparer; pidOf: Placement['pidOf'] },
  containerId: string,
  mounted: MountOutcome[],
  username: string,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<SessionFailure | null> {
  if (mounted.length === 0) return null;
  const pid = await ctx.pidOf(containerId, AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)])).catch(() => null);
  if (!pid) {
    return sessionProblem('', 'engine', `the container stopped (or vanished) before its mounts could be verified; it is not kept (expected it to keep running after start)`);
  }
  const byTarget = new Map(mounted.map((o) => [o.planned.mount.bind, o]));
  const checks = mounted.map((o) => ({ target: o.planned.mount.bind, expected: o.identity as { dev: number; ino: number } }));
  const res = await ctx.preparer.verify(pid, checks, timeoutMs, signal);
  if (!res.ok) {
    return sessionProblem(mounted.length === 1 ? (mounted[0] as MountOutcome).planned.label : '', res.class, `verifying the session's mounts after start failed: ${res.message}`);
  }
  const bad = res.findings.filter((f) => !f.ok);
  if (bad.length === 0) return null;
  for (const f of bad) {
    const o = byTarget.get(f.target);
    ctx.logger.error(
      { attack: true, user: username, mapping: o?.planned.label, host_path: o?.planned.mount.host_path, bind: f.target, expected: showId(f.expected), found: showId(f.found), reason: f.message },
      `attack: the folder mounted at ${f.target} for user "${username}" is not the one prepared (expected ${showId(f.expected)}, found ${showId(f.found)}); session killed`,
    );
  }
  const first = bad[0]!;
  const o = byTarget.get(first.target);
  return sessionProblem(o?.planned.label ?? '', 'policy', `the folder mounted at ${first.target} is not the folder prepared for ${o?.planned.mount.host_path ?? 'it'} (expected device:inode ${showId(first.expected)}, found ${showId(first.found)}${first.message ? `: ${first.message}` : ''}); the session was stopped and this was logged as an attack`);
}
