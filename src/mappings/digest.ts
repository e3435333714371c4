// A stable fingerprint of what a session mounts, stored at launch and recomputed later to
// detect drift. Covers every field that changes the mount (not `source`: renaming a group or
// moving a mapping between sources without changing what is mounted is not drift).
// No crypto here (the domain is pure): two 32-bit FNV-1a lanes over a canonical string.
import type { EffectiveMountsView } from './types.js';

function canonical(view: EffectiveMountsView): string {
  const mounts = [...view.mounts].sort((a, b) => (a.bind < b.bind ? -1 : a.bind > b.bind ? 1 : 0));
  return JSON.stringify(mounts.map((m) => [m.host_path, m.bind, m.mode, m.uid, m.gid, m.required, m.timeout, m.skip_check]));
}

function fnv1a(text: string, seed: number): number {
  let hash = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** e.g. `m1:3:9f1c0a2b7e44d013`: format version, mount count, 64 bits of hash. */
export function mappingsDigest(view: EffectiveMountsView): string {
  const text = canonical(view);
  const hex = (n: number): string => n.toString(16).padStart(8, '0');
  return `m1:${view.mounts.length}:${hex(fnv1a(text, 0x811c9dc5))}${hex(fnv1a(text, 0x050c5d1f))}`;
}
