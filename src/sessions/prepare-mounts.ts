// Host preparation of every effective mount, IN PARALLEL, each within its own deadline
// (its `timeout`). One preparation per host path: two binds of one folder share it, with
// the ownership the view says applies (spec section 5, conflicts).
import type { Logger } from 'pino';
import type { EffectiveMount, EffectiveMountsView } from '../mappings/types.js';
import type { DirIdentity, FailureClass, HostPreparer } from '../hostprep/types.js';
import type { SessionFailure } from '../store/types.js';
import type { PlannedMount } from './effective-mounts.js';
import type { SessionEventType } from './types.js';

export interface MountOutcome {
  planned: PlannedMount;
  ok: boolean;
  /** symlink-resolved, policy-checked path of the prepared folder (when ok) */
  realPath?: string;
  /** the stage to hand to the engine as the bind source, and the folder's identity (when ok) */
  source?: string;
  identity?: DirIdentity;
  failure?: SessionFailure & { class: FailureClass };
}

export interface PrepareDeps {
  preparer: HostPreparer;
  logger: Logger;
  emit: (type: SessionEventType, data: Record<string, unknown>) => void;
  onCheck?: (result: string) => void;
}

/** `session` groups the stages for release once the container runs (or on rollback). */
export async function prepareMounts(view: EffectiveMountsView, planned: PlannedMount[], deps: PrepareDeps, session: string, signal: AbortSignal): Promise<MountOutcome[]> {
  const byHostPath = new Map<string, PlannedMount[]>();
  for (const p of planned) {
    const list = byHostPath.get(p.mount.host_path) ?? [];
    list.push(p);
    byHostPath.set(p.mount.host_path, list);
  }
  const groups = [...byHostPath.values()];
  const results = await Promise.all(groups.map((group) => prepareOne(view, group, deps, session, signal)));
  return results.flat();
}

async function prepareOne(view: EffectiveMountsView, group: PlannedMount[], deps: PrepareDeps, session: string, signal: AbortSignal): Promise<MountOutcome[]> {
  const first = group[0] as PlannedMount;
  const { uid, gid } = ownership(view, first.mount);
  // The folder is shared by these binds: the tightest deadline and the strictest check apply.
  const timeoutMs = Math.min(...group.map((p) => p.mount.timeout)) * 1000;
  const skipCheck = group.every((p) => p.mount.skip_check);
  const startedAt = Date.now();
  const res = await deps.preparer.prepare(
    { hostPath: first.mount.host_path, fixedPrefix: first.fixedPrefix, uid, gid, skipCheck, timeoutMs, session },
    signal,
  );
  const ms = Date.now() - startedAt;
  return group.map((p) => {
    const base = { mapping: p.label, host_path: p.mount.host_path, bind: p.mount.bind, required: p.mount.required, ms };
    if (res.ok) {
      deps.onCheck?.(skipCheck ? 'skipped' : 'ok');
      if (skipCheck) {
        deps.emit('mapping.skipped', { ...base, reason: 'skip_check: connectivity check and ownership change skipped' });
      } else {
        deps.emit('mapping.prepared', { ...base, created: res.created, uid, gid });
        deps.emit('mapping.checked', base);
      }
      deps.logger.debug({ mapping: p.label, real_path: res.realPath, stage: res.source, ms }, 'mapping ready');
      return { planned: p, ok: true, realPath: res.realPath, source: res.source, identity: res.identity };
    }
    deps.onCheck?.(res.class);
    const message = `${p.mount.host_path} (bind ${p.mount.bind}, from ${p.mount.source.kind} "${p.mount.source.name}"): ${res.message}`;
    deps.emit('mapping.failed', { ...base, class: res.class, message });
    deps.logger.warn({ mapping: p.label, class: res.class, ms, required: p.mount.required }, `mapping failed: ${res.message}`);
    return { planned: p, ok: false, failure: { mapping: p.label, class: res.class, message } };
  });
}

/** The uid/gid to apply to a host path: the conflict's winner when binds disagree. */
function ownership(view: EffectiveMountsView, mount: EffectiveMount): { uid: number | null; gid: number | null } {
  const conflict = view.conflicts.find((c) => c.host_path === mount.host_path);
  if (conflict) return { uid: conflict.applied.uid, gid: conflict.applied.gid };
  return { uid: mount.uid, gid: mount.gid };
}

/** Wait this long for the engine to give up a create that touched hung storage. */
export function engineDeadlineMs(mounted: EffectiveMount[], fallbackMs: number): number {
  if (mounted.length === 0) return fallbackMs;
  return Math.min(...mounted.map((m) => m.timeout)) * 1000;
}
