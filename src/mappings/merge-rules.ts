// The rules of merging (spec section 5): precedence, who claims a bind, who shadows whom, and
// what counts as an ownership conflict.
import type { EffectiveMount, EffectiveMountsView, MappingDocument, MappingSpec, MountSource, OwnershipConflict, ShadowedMount } from './types.js';

/** One source document in precedence order: the image (rank -1), then groups by priority, then name. */
export interface RankedSource {
  source: MountSource;
  doc: MappingDocument;
  rank: number;
}

/**
 * Every mapping met while merging, by index in precedence order: parallel arrays rather than
 * a wrapper object per mapping (this runs for thousands of mappings at every launch).
 */
export interface MergeTable {
  mounts: EffectiveMount[];
  /** precedence: lower wins; the image is -1, groups their index after sorting by priority */
  ranks: readonly number[];
  /** the host-path key as written in the source document (tie-break inside one source) */
  keys: readonly string[];
  /** per winning index: the indexes it beat, in precedence order */
  losers: Array<number[] | undefined>;
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
 * Entry `index` (visited in precedence order) claims `bind`: the first to claim a bind wins
 * it; two templates of one document that expand to the same bind: the smaller key wins, stably.
 */
export function claimBind(
  bind: string, index: number, ranks: readonly number[], keys: readonly string[],
  winners: Map<string, number>, losers: Array<number[] | undefined>,
): void {
  const existing = winners.get(bind);
  if (existing === undefined) winners.set(bind, index);
  else if (ranks[existing] === ranks[index] && keys[index]! < keys[existing]!) {
    losers[index] = [existing, ...(losers[existing] ?? [])];
    losers[existing] = undefined;
    winners.set(bind, index);
  } else (losers[existing] ??= []).push(index);
}

/** One mapping's mount, built field by field (not by spread): same shape for every entry, and cheaper. */
export function mountOf(spec: MappingSpec, hostPath: string, bind: string, source: MountSource): EffectiveMount {
  return {
    host_path: hostPath, bind, mode: spec.mode, uid: spec.uid ?? null, gid: spec.gid ?? null,
    required: spec.required, timeout: spec.timeout, skip_check: spec.skip_check, source,
  };
}

/** Built field by field, as above. */
export function shadowedMount(m: EffectiveMount, by: MountSource): ShadowedMount {
  return {
    host_path: m.host_path, bind: m.bind, mode: m.mode, uid: m.uid, gid: m.gid, required: m.required,
    timeout: m.timeout, skip_check: m.skip_check, source: m.source, shadowed_by: by,
  };
}

function byPrecedence(table: MergeTable, a: number, b: number): number {
  return table.ranks[a]! - table.ranks[b]! || compareStrings(table.mounts[a]!.bind, table.mounts[b]!.bind) || compareStrings(table.keys[a]!, table.keys[b]!);
}

/** Winners sharing one host path: a conflict when they disagree on uid/gid (the first in precedence applies). */
export function conflictAmong(table: MergeTable, hostPath: string, sharing: number[]): OwnershipConflict | null {
  const first = table.mounts[sharing[0]!]!;
  if (sharing.every((i) => table.mounts[i]!.uid === first.uid && table.mounts[i]!.gid === first.gid)) return null;
  const list = [...sharing].sort((a, b) => byPrecedence(table, a, b));
  const winner = table.mounts[list[0]!]!;
  return {
    host_path: hostPath,
    mounts: list.map((i) => {
      const m = table.mounts[i]!;
      return { bind: m.bind, uid: m.uid, gid: m.gid, source: m.source };
    }),
    applied: { uid: winner.uid, gid: winner.gid, source: winner.source },
  };
}

/** Groups winners by host path; only the host paths mounted more than once are kept. */
export function hostPathsSharedBy(table: MergeTable, winners: Iterable<number>): Map<string, number[]> {
  const firstByHostPath = new Map<string, number>();
  const shared = new Map<string, number[]>();
  for (const w of winners) {
    const hostPath = table.mounts[w]!.host_path;
    const first = firstByHostPath.get(hostPath);
    if (first === undefined) firstByHostPath.set(hostPath, w);
    else {
      const list = shared.get(hostPath);
      if (list) list.push(w);
      else shared.set(hostPath, [first, w]);
    }
  }
  return shared;
}

/** The conflicts among winners sharing a host path ([host path, winners] pairs), sorted by host path. */
export function conflictsOf(table: MergeTable, shared: Iterable<[string, number[]]>): OwnershipConflict[] {
  const conflicts: OwnershipConflict[] = [];
  for (const [hostPath, list] of shared) {
    const conflict = conflictAmong(table, hostPath, list);
    if (conflict) conflicts.push(conflict);
  }
  return conflicts.sort((a, b) => compareStrings(a.host_path, b.host_path));
}
