// The rules of merging (spec section 5): precedence, who claims a bind, who shadows whom, and
// what counts as an ownership conflict.
import type { EffectiveMount, EffectiveMountsView, MappingDocument, MappingSpec, MountSource, OwnershipConflict, ShadowedMount } from './types.js';

/** One source document in precedence order: the image (rank -1), then groups by priority, then name. */
export interface RankedSource {
  source: MountSource;
  doc: MappingDocument;
  rank: number;
}

/** A view, plus for each of its mounts the host-path key it came from (as written, tokens kept). */
export interface Resolution {
  view: EffectiveMountsView;
  templates: string[];
}

export function describeSource(source: MountSource): string {
  if (source.kind === 'profile') return `persistent profile of image ${JSON.stringify(source.name)}`;
  return source.kind === 'image' ? `image ${JSON.stringify(source.name)}` : `group ${JSON.stringify(source.name)} (priority ${source.priority})`;
}

export function locationOf(source: MountSource, key: string): string {
  return `${describeSource(source)} ${JSON.stringify(key)}`;
}

export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The sources in precedence order. */
export function rankedSources(
  image: { name: string; volume_mappings: MappingDocument },
  groups: ReadonlyArray<{ name: string; priority: number; volume_mappings: MappingDocument }>,
): RankedSource[] {
  const sorted = [...groups].sort((a, b) => a.priority - b.priority || compareStrings(a.name, b.name));
  return [
    { source: { kind: 'image', name: image.name, priority: null }, doc: image.volume_mappings, rank: -1 },
    ...sorted.map((g, index): RankedSource => ({
      source: { kind: 'group', name: g.name, priority: g.priority },
      doc: g.volume_mappings,
      rank: index,
    })),
  ];
}

/**
 * The winner of a run: `order[start..end)` are the mappings that claim one bind, in
 * precedence order. The first source in the run wins; two keys of that source (templates
 * that expand to the same bind): the smaller key.
 */
export function winnerOfRun(order: readonly number[], start: number, end: number, ranks: readonly number[], keys: readonly string[]): number {
  let w = order[start]!;
  for (let k = start + 1; k < end && ranks[order[k]!] === ranks[w]; k++) if (keys[order[k]!]! < keys[w]!) w = order[k]!;
  return w;
}

/** One mapping's mount, built field by field (not by spread): same shape for every entry, and cheaper. */
export function mountOf(spec: MappingSpec, hostPath: string, bind: string, source: MountSource): EffectiveMount {
  return {
    host_path: hostPath, bind, mode: spec.mode, uid: spec.uid ?? null, gid: spec.gid ?? null,
    required: spec.required, timeout: spec.timeout, skip_check: spec.skip_check, source,
  };
}

/** A mapping beaten to its bind by `winner`, built field by field, as above. */
export function shadowedMount(spec: MappingSpec, hostPath: string, source: MountSource, winner: EffectiveMount): ShadowedMount {
  return {
    host_path: hostPath, bind: winner.bind, mode: spec.mode, uid: spec.uid ?? null, gid: spec.gid ?? null, required: spec.required,
    timeout: spec.timeout, skip_check: spec.skip_check, source, shadowed_by: winner.source,
  };
}

/**
 * The mounts that share a host path and disagree on uid/gid, by host path; the first in
 * precedence applies. `mounts` are sorted by bind, `ranks[i]` is mounts[i]'s precedence.
 */
export function ownershipConflicts(mounts: readonly EffectiveMount[], ranks: readonly number[]): OwnershipConflict[] {
  // Which host paths are shared: equal neighbours once sorted (one native sort, no Map of
  // every path: see resolveGeneral). Usually none, so nothing more is done.
  const sorted = mounts.map((m) => m.host_path).sort();
  const shared = new Map<string, number[]>();
  for (let i = 1; i < sorted.length; i++) if (sorted[i] === sorted[i - 1]) shared.set(sorted[i]!, []);
  if (shared.size === 0) return [];
  for (let i = 0; i < mounts.length; i++) shared.get(mounts[i]!.host_path)?.push(i);
  const conflicts: OwnershipConflict[] = [];
  for (const [hostPath, sharing] of [...shared].sort(([a], [b]) => compareStrings(a, b))) {
    const first = mounts[sharing[0]!]!;
    if (sharing.every((i) => mounts[i]!.uid === first.uid && mounts[i]!.gid === first.gid)) continue;
    // precedence, then bind (the order of `mounts`)
    const list = [...sharing].sort((a, b) => ranks[a]! - ranks[b]! || a - b).map((i) => mounts[i]!);
    conflicts.push({
      host_path: hostPath,
      mounts: list.map((m) => ({ bind: m.bind, uid: m.uid, gid: m.gid, source: m.source })),
      applied: { uid: list[0]!.uid, gid: list[0]!.gid, source: list[0]!.source },
    });
  }
  return conflicts;
}
