// The effective-mounts view (src/mappings computes it): what a session mounts, what was
// shadowed by a higher-priority source, and uid/gid conflicts. The domain's TypeScript types
// and these schemas are checked to be the same (MountsViewMatches below fails to compile otherwise).
import { z } from 'zod';
import type { EffectiveMountsView as DomainMountsView } from '../../mappings/types.js';

export const MountSource = z.object({
  kind: z.enum(['image', 'group', 'profile']).describe("'profile': the image's persistent profile, mounted as the session user's home"),
  name: z.string(),
  priority: z.number().int().nullable().describe('group priority; null for the image and the profile'),
});

export const EffectiveMount = z.object({
  host_path: z.string(),
  bind: z.string(),
  mode: z.enum(['rw', 'ro']),
  uid: z.number().int().nullable(),
  gid: z.number().int().nullable(),
  required: z.boolean(),
  timeout: z.number(),
  skip_check: z.boolean(),
  source: MountSource,
});

export const ShadowedMount = EffectiveMount.extend({ shadowed_by: MountSource });

const Owner = z.object({ uid: z.number().int().nullable(), gid: z.number().int().nullable(), source: MountSource });
export const OwnershipConflict = z.object({
  host_path: z.string(),
  mounts: z.array(Owner.extend({ bind: z.string() })).describe('the mounts that disagree on uid/gid, winner first'),
  applied: Owner,
});

export const EffectiveMountsView = z.object({
  mounts: z.array(EffectiveMount),
  shadowed: z.array(ShadowedMount),
  conflicts: z.array(OwnershipConflict),
});

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** the domain's type and the wire's are one: `true` or this file does not compile */
export const MountsViewMatches: Same<z.infer<typeof EffectiveMountsView>, DomainMountsView> = true;
