// The host work a profile needs before it is prepared and mounted like any mapping: leftovers
// of an interrupted Reset removed; a missing profile built from the image's home (seeded) and
// put in place; on Reset the old profile swapped out in one rename, then deleted (symlink-safe,
// never crossing into another mount) and the deletion audited. All of it in the disposable
// host-preparation workers, under the profile's deadline.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { ImageRecord, SessionFailure, SessionWarning } from '../store/types.js';
import type { HostPreparer, ProfileStepRequest, RemovalSummary } from '../hostprep/types.js';
import { sessionProblem, type SessionContext } from './context.js';
import type { PlannedMount } from './effective-mounts.js';
import type { Actor, SessionEventType } from './types.js';

export interface ProfileSetupResult {
  failure?: SessionFailure;
  warnings: SessionWarning[];
}

interface SetupDeps {
  ctx: SessionContext;
  log: Logger;
  emit: (type: SessionEventType, data: Record<string, unknown>) => void;
  actor: Actor;
  sessionId: string;
  userId: string;
  /** host preparation on the node the session is being placed on */
  preparer: HostPreparer;
}

/** The image's home as a tar in a fresh root-only temp folder, or null (none, or it could not be read: a warning). */
async function fetchSeed(deps: SetupDeps, image: ImageRecord, home: string, signal: AbortSignal, warnings: SessionWarning[], label: string): Promise<{ tar: string; dir: string } | null> {
  const { ctx } = deps;
  if (!ctx.runtime.copyFromImage) return null;
  const dir = await mkdtemp(join(tmpdir(), 'tether-seed-'));
  const tar = join(dir, 'home.tar');
  try {
    const auth = image.registry_auth_encrypted && ctx.decryptRegistryAuth ? ctx.decryptRegistryAuth(image.registry_auth_encrypted) : undefined;
    await ctx.runtime.ensureImage(image.docker_image, { ...(auth ? { auth } : {}), signal: AbortSignal.any([signal, AbortSignal.timeout(ctx.pullTimeoutMs)]) });
    const found = await ctx.runtime.copyFromImage(image.docker_image, home, tar, AbortSignal.any([signal, AbortSignal.timeout(ctx.engineTimeoutMs)]));
    if (found) return { tar, dir };
  } catch (err) {
    const w = sessionProblem(label, 'seed', `the new profile was not seeded from the image's ${home}: ${err instanceof Error ? err.message : String(err)}`);
    warnings.push(w);
    deps.emit('warning', { ...w });
    deps.log.warn({ err }, 'profile seed failed');
  }
  await rm(dir, { recursive: true, force: true });
  return null;
}

function removalText(r: RemovalSummary): string {
  const extra = [r.otherMounts > 0 ? `${r.otherMounts} other mount(s) left in place` : '', r.failed > 0 ? `${r.failed} could not be removed (${r.errors.join('; ')})` : ''].filter(Boolean);
  return `${r.entries} entries, ${r.bytes} bytes removed${extra.length ? `; ${extra.join('; ')}` : ''}`;
}

/** Runs before prepareMounts; a failure fails the launch (the profile is a required mount). */
export async function setupProfile(deps: SetupDeps, image: ImageRecord, profile: PlannedMount, reset: boolean, signal: AbortSignal): Promise<ProfileSetupResult> {
  const { ctx, log, emit } = deps;
  const warnings: SessionWarning[] = [];
  const m = profile.mount;
  const fail = (cls: string, message: string) => ({ failure: sessionProblem(profile.label, cls, `${m.host_path} (persistent profile): ${message}`), warnings });
  const profiles = deps.preparer.profiles;
  if (!profiles) {
    // the engine-helper preparer: the profile is created unseeded by ordinary preparation
    if (reset) return fail('io', 'Reset is not available when host preparation runs through the engine (remote engine); launch with "enabled" or ask an administrator');
    return { warnings };
  }
  const req: ProfileStepRequest = { hostPath: m.host_path, fixedPrefix: profile.fixedPrefix, uid: m.uid ?? 1000, gid: m.gid ?? 1000, timeoutMs: m.timeout * 1000 };
  const probe = await profiles.probeProfile(req, signal);
  if (!probe.ok) return fail(probe.class, probe.message);
  if (probe.leftovers.entries > 0) log.warn({ leftovers: probe.leftovers }, 'removed the leftovers of an interrupted profile reset');
  if (probe.exists && !reset) return { warnings };

  const seed = await fetchSeed(deps, image, m.bind, signal, warnings, profile.label);
  let build;
  try {
    build = await profiles.buildProfile({ ...req, reset, seedTar: seed?.tar ?? null }, signal);
  } finally {
    if (seed) await rm(seed.dir, { recursive: true, force: true });
  }
  if (!build.ok) return fail(build.class, build.message);
  emit('profile', { mode: reset ? 'reset' : 'enabled', host_path: m.host_path, created: build.placed && !build.swapped, reset: build.swapped, seeded: build.seeded });
  if (!reset) return { warnings };

  let removed: RemovalSummary | null = null;
  if (build.swapped) {
    const purge = await profiles.purgeProfileTrash(req, signal);
    if (purge.ok) removed = purge.removed;
    else {
      // the new profile is in place; what is left of the old one goes at the next launch
      const w = sessionProblem(profile.label, purge.class, `Reset: the old profile was moved aside but not fully deleted yet (${purge.message}); the rest is deleted at the next launch of this profile`);
      warnings.push(w);
      emit('warning', { ...w });
    }
  }
  const after = { session_id: deps.sessionId, user_id: deps.userId, image_id: image.image_id, host_path: m.host_path, removed, seeded: build.seeded };
  await ctx.store.audit.append({
    audit_id: randomUUID(), at: ctx.now().toISOString(), actor_id: deps.actor.user_id, actor_name: deps.actor.username,
    action: 'profile.reset', target_type: 'profile', target_id: deps.userId, target_name: m.host_path, before: null, after,
  });
  log.info({ host_path: m.host_path, removed }, `profile reset: ${removed ? removalText(removed) : 'there was no profile yet'}`);
  emit('profile', { mode: 'reset', host_path: m.host_path, removed });
  return { warnings };
}
