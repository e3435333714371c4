// The effective mounts of one session (spec section 5), computed from the store's image and
// the user's groups, plus each mount's template so host preparation knows its fixed prefix.
import { fixedPrefix, mappingsDigest, resolveWithTemplates } from '../mappings/index.js';
import type { EffectiveMount, EffectiveMountsView, HostPathPolicy, TokenContext } from '../mappings/types.js';
import type { GroupRecord, ImageRecord, UserRecord } from '../store/types.js';

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
export function currentDigest(image: ImageRecord, groups: GroupRecord[], user: UserRecord, policy: HostPathPolicy): string | null {
  try {
    return resolveSessionMounts(image, groups, user, policy).digest;
  } catch {
    return null;
  }
}

/** The view of what was actually mounted: left-out mounts removed (they are in the warnings). */
export function mountedView(view: EffectiveMountsView, leftOut: Set<EffectiveMount>): EffectiveMountsView {
  return { ...view, mounts: view.mounts.filter((m) => !leftOut.has(m)) };
}
