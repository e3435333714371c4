// Persistent profiles at launch (spec section 9): which mode a launch gets, the profile as one
// more planned mount (host preparation, staging and verification treat it like any mapping),
// and the one-writer lock taken with the session's record.
import {
  MappingDomainError, checkHostPath, DEFAULT_PROFILE_HOME, DEFAULT_PROFILE_TIMEOUT, fixedPrefix, normalizePath, profileLabel, profileMount, profileOwner, type ProfileMode,
} from '../mappings/index.js';
import type { EffectiveMountsView, HostPathPolicy } from '../mappings/types.js';
import type { GroupRecord, ImageRecord, ProfileLockRecord, SessionRecord, Store, UserRecord } from '../store/types.js';
import type { PlannedMount, SessionMounts } from './effective-mounts.js';
import { tokensFor } from './effective-mounts.js';
import { ACTIVE_STATES, SessionError, type PersistentProfileMode } from './types.js';

/** What a launch does with the profile: `none` = the image has none or the user may not use it. */
export type ProfileDecision = ProfileMode | 'none';

export interface ProfileOffer {
  /** whether the launch may choose a mode (image has a profile path and a group allows it) */
  allowed: boolean;
  /** why not, when not */
  reason: string | null;
  /** the modes one may ask for */
  modes: ProfileMode[];
}

/** What the user may choose for this image (for the UI and for the launch's checks). */
export function profileOffer(image: ImageRecord, groups: GroupRecord[]): ProfileOffer {
  if (image.persistent_profile_path === null) {
    return { allowed: false, reason: `image "${image.name}" has no persistent profile (its persistent_profile_path is not set)`, modes: ['disabled'] };
  }
  if (!groups.some((g) => g.settings.allow_persistent_profile)) {
    return { allowed: false, reason: 'none of the user\'s groups allows persistent profiles (group setting allow_persistent_profile)', modes: ['disabled'] };
  }
  return { allowed: true, reason: null, modes: ['enabled', 'disabled', 'reset'] };
}

/**
 * The mode a launch gets. Not asking, or asking for `enabled` (the default, which Kasm clients
 * send with every request_kasm): the stored profile where offered, else `none` (a fresh home).
 * Asking for `reset` where no profile is offered is refused (403) with the reason: it asks to
 * delete something one may not touch. `disabled` is always accepted.
 */
export function decideProfile(image: ImageRecord, groups: GroupRecord[], requested: ProfileMode | undefined): ProfileDecision {
  const offer = profileOffer(image, groups);
  if (!offer.allowed) {
    if (requested === 'reset') throw new SessionError('profile_not_allowed', `persistent profile mode "reset" is not available: ${offer.reason}`);
    return 'none';
  }
  return requested ?? 'enabled';
}

/** The request's mode in Tether's lower-case form (Kasm sends Enabled/Disabled/Reset). */
export function requestedMode(mode: PersistentProfileMode | ProfileMode | undefined): ProfileMode | undefined {
  return mode === undefined ? undefined : (mode.toLowerCase() as ProfileMode);
}

/** The profile as a planned mount for this user and image. Throws MappingDomainError on a bad template or name, or a refused path. */
export function planProfile(image: ImageRecord, user: UserRecord, policy: HostPathPolicy): PlannedMount {
  const template = image.persistent_profile_path as string;
  const home = normalizePath(image.profile_home ?? DEFAULT_PROFILE_HOME);
  const { uid, gid } = profileOwner(image.user);
  const label = profileLabel(template, home);
  let mount;
  try {
    mount = profileMount({ template, home, uid, gid, timeout: image.profile_timeout ?? DEFAULT_PROFILE_TIMEOUT }, tokensFor(user, image), image.name);
  } catch (err) {
    if (err instanceof MappingDomainError) throw new MappingDomainError(err.code, err.message, label);
    throw err;
  }
  const verdict = checkHostPath(mount.host_path, policy);
  if (!verdict.ok) throw new MappingDomainError('policy', `${verdict.reason}; ${verdict.suggestion}`, label);
  return { mount, template, fixedPrefix: fixedPrefix(template), label };
}

/**
 * The session's mounts with the profile added: it is the user's home, so a mapping bound at the
 * same container path is shadowed by it (shown as such), like a group mapping beaten by the image's.
 */
export function withProfile(resolved: SessionMounts, profile: PlannedMount): SessionMounts {
  const bind = profile.mount.bind;
  const beaten = resolved.view.mounts.filter((m) => m.bind === bind);
  const view: EffectiveMountsView = {
    ...resolved.view,
    mounts: [...resolved.view.mounts.filter((m) => m.bind !== bind), profile.mount],
    shadowed: [...resolved.view.shadowed, ...beaten.map((m) => ({ ...m, shadowed_by: profile.mount.source }))],
  };
  return { ...resolved, view, planned: [...resolved.planned.filter((p) => p.mount.bind !== bind), profile] };
}

/** Creates the session and, when it mounts a profile, takes the profile's lock in the same transaction. */
export async function createWithProfileLock(store: Store, rec: SessionRecord, profilePath: string | null): Promise<void> {
  if (profilePath === null) return store.sessions.create(rec);
  const lock: ProfileLockRecord = { profile_path: profilePath, session_id: rec.session_id, user_id: rec.user_id, image_id: rec.image_id, acquired_at: rec.created_at };
  const holder = await store.transaction(async (tx) => {
    await tx.sessions.create(rec);
    const r = await tx.profileLocks.acquire(lock, ACTIVE_STATES);
    if (r.acquired) return null;
    // nothing of this launch is kept: the transaction is rolled back
    throw Object.assign(new Error('profile in use'), { holder: r.holder });
  }).catch((err: unknown) => {
    const h = (err as { holder?: ProfileLockRecord }).holder;
    if (h) return h;
    throw err;
  });
  if (holder === null) return;
  const held = await store.sessions.get(holder.session_id);
  throw new SessionError(
    'profile_in_use',
    `the persistent profile ${profilePath} is in use by session ${holder.session_id} (${held?.state ?? 'launching'}, since ${holder.acquired_at}); ` +
      'one session at a time may write a profile: destroy that session first, or launch with persistent_profile_mode "disabled" for a throw-away home',
  );
}
