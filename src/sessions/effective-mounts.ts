// The effective mounts of one session (spec section 5), computed from the store's image and
// the user's groups, plus each mount's template so host preparation knows its fixed prefix.
import { DEFAULT_PROFILE_HOME, documentDigest, fixedPrefix, mappingsDigest, normalizePath, resolveWithTemplates } from '../mappings/index.js';
import type { EffectiveMount, EffectiveMountsView, HostPathPolicy, TokenContext } from '../mappings/types.js';
import type { GroupRecord, ImageRecord, MountsBasis, UserRecord } from '../store/types.js';

export interface PlannedMount {
  mount: EffectiveMount;
  /** the host-path key as written in the source document (may hold tokens) */
  template: string;
  /** the template's fixed prefix: must already exist on the host */
  fixedPrefix: string;
  /** how errors and warnings name the mapping: `<host path key> -> <bind>` */
  label: string;
}

export interface SessionMounts {
  view: EffectiveMountsView;
  planned: PlannedMount[];
  digest: string;
}

export function tokensFor(user: UserRecord, image: ImageRecord): TokenContext {
  return { username: user.username, user_id: user.user_id, image_id: image.image_id };
}

/** How the session use-cases resolve mounts (a dependency, so tests can count merges). */
export type MountsResolver = (image: ImageRecord, groups: GroupRecord[], user: UserRecord, policy: HostPathPolicy) => SessionMounts;

/** Throws MappingDomainError when a template cannot be expanded or the policy refuses a path. */
export function resolveSessionMounts(image: ImageRecord, groups: GroupRecord[], user: UserRecord, policy: HostPathPolicy): SessionMounts {
  const tokens = tokensFor(user, image);
  const { view, templates } = resolveWithTemplates({
    image: { name: image.name, volume_mappings: image.volume_mappings },
    groups: groups.map((g) => ({ name: g.name, priority: g.priority, volume_mappings: g.settings.volume_mappings })),
    tokens,
    policy,
  });
  // The merge names each mount's key (its template) in its source document, tokens kept.
  const planned = view.mounts.map((mount, i) => {
    const template = templates[i]!;
    return { mount, template, fixedPrefix: fixedPrefix(template), label: `${template} -> ${mount.bind}` };
  });
  return { view, planned, digest: mappingsDigest(view) };
}

/** Today's digest for the same user and image, or null when the resolution fails now. */
export function currentDigest(resolve: MountsResolver, image: ImageRecord, groups: GroupRecord[], user: UserRecord, policy: HostPathPolicy): string | null {
  try {
    return resolve(image, groups, user, policy).digest;
  } catch {
    return null;
  }
}

/** The image's profile as a launch with a profile mounts it (template and container path), or null. */
export function profileBasisOf(image: ImageRecord): MountsBasis['profile'] {
  if (image.persistent_profile_path === null) return null;
  return { template: image.persistent_profile_path, home: normalizePath(image.profile_home ?? DEFAULT_PROFILE_HOME) };
}

/** What a session's mounts are computed from; `withProfile`: whether the launch mounts the profile. */
export function mountsBasisOf(image: ImageRecord, groups: GroupRecord[], user: UserRecord, policy: HostPathPolicy, withProfile: boolean): MountsBasis {
  return {
    username: user.username,
    image: documentDigest(image.volume_mappings),
    groups: groups
      .map((g) => ({ group_id: g.group_id, name: g.name, priority: g.priority, digest: documentDigest(g.settings.volume_mappings) }))
      .sort((a, b) => (a.group_id < b.group_id ? -1 : a.group_id > b.group_id ? 1 : 0)),
    profile: withProfile ? profileBasisOf(image) : null,
    policy: JSON.stringify([policy.extraDenied, policy.allowedRoots]),
  };
}

/**
 * What changed since launch, one sentence each; [] = no drift. A profile is compared only when
 * the session mounted one (a launch without one chose a fresh home).
 */
export function basisChanges(then: MountsBasis, now: MountsBasis): string[] {
  const changes: string[] = [];
  if (then.username !== now.username) changes.push(`the user was renamed from ${JSON.stringify(then.username)} to ${JSON.stringify(now.username)}`);
  if (then.image !== now.image) changes.push('the image\'s volume mappings changed');
  const before = new Map(then.groups.map((g) => [g.group_id, g]));
  const after = new Map(now.groups.map((g) => [g.group_id, g]));
  for (const g of now.groups) {
    const old = before.get(g.group_id);
    if (!old) changes.push(`the user joined group ${JSON.stringify(g.name)}`);
    else if (old.digest !== g.digest) changes.push(`group ${JSON.stringify(g.name)}'s volume mappings changed`);
    else if (old.priority !== g.priority) changes.push(`group ${JSON.stringify(g.name)}'s priority changed from ${old.priority} to ${g.priority}`);
  }
  for (const g of then.groups) if (!after.has(g.group_id)) changes.push(`the user left group ${JSON.stringify(g.name)}`);
  if (then.profile !== null && JSON.stringify(then.profile) !== JSON.stringify(now.profile)) {
    changes.push(now.profile === null ? 'the image no longer has a persistent profile' : 'the image\'s persistent profile path or home changed');
  }
  if (then.policy !== now.policy) changes.push('the host-path policy changed');
  return changes;
}

/** The view of what was actually mounted: left-out mounts removed (they are in the warnings). */
export function mountedView(view: EffectiveMountsView, leftOut: Set<EffectiveMount>): EffectiveMountsView {
  return { ...view, mounts: view.mounts.filter((m) => !leftOut.has(m)) };
}
