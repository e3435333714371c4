// A stable fingerprint of what a session mounts, stored at launch and recomputed later to
// detect drift. Covers every field that changes the mount (not `source`: renaming a group or
// moving a mapping between sources without changing what is mounted is not drift).
// No crypto here (the domain is pure): two 32-bit FNV-1a lanes over a canonical string.
import type { EffectiveMountsView, MappingDocument } from './types.js';

function sortedByBind(mounts: EffectiveMountsView['mounts']): boolean {
  for (let i = 1; i < mounts.length; i++) if (!(mounts[i - 1]!.bind < mounts[i]!.bind)) return false;
  return true;
}

function canonical(view: EffectiveMountsView): string {
  // A resolved view is sorted by bind already; sorting is for views built otherwise.
  const mounts = sortedByBind(view.mounts) ? view.mounts : [...view.mounts].sort((a, b) => (a.bind < b.bind ? -1 : a.bind > b.bind ? 1 : 0));
  return JSON.stringify(mounts.map((m) => [m.host_path, m.bind, m.mode, m.uid, m.gid, m.required, m.timeout, m.skip_check]));
}

/** Two FNV-1a lanes (different seeds) in one pass over the text. */
function fnv1aTwoLanes(text: string, seedA: number, seedB: number): [number, number] {
  let a = seedA >>> 0;
  let b = seedB >>> 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193) >>> 0;
    b = Math.imul(b ^ c, 0x01000193) >>> 0;
  }
  return [a >>> 0, b >>> 0];
}

/** e.g. `m1:3:9f1c0a2b7e44d013`: format version, mount count, 64 bits of hash. */
export function mappingsDigest(view: EffectiveMountsView): string {
  const text = canonical(view);
  const hex = (n: number): string => n.toString(16).padStart(8, '0');
  const [a, b] = fnv1aTwoLanes(text, 0x811c9dc5, 0x050c5d1f);
  return `m1:${view.mounts.length}:${hex(a)}${hex(b)}`;
}

/**
 * e.g. `d1:9f1c0a2b7e44d013`: a fingerprint of one volume-mapping document as stored (key
 * order included: it settles ties inside a document). Recorded at launch for the image and
 * each group, so drift is a comparison of fingerprints rather than a new merge.
 */
export function documentDigest(doc: MappingDocument): string {
  const hex = (n: number): string => n.toString(16).padStart(8, '0');
  const [a, b] = fnv1aTwoLanes(JSON.stringify(doc), 0x811c9dc5, 0x050c5d1f);
  return `d1:${hex(a)}${hex(b)}`;
}
