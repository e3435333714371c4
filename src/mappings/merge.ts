// Merging (spec section 5): the effective mounts of one session of one image for one user.
import { MappingDomainError } from './errors.js';
import { compilePolicy } from './policy.js';
import { expandFast } from './fast-expand.js';
import { assertTokenContext, expandSlow } from './tokens.js';
import type {
  EffectiveMount, EffectiveMountsView, HostPathPolicy, MappingDocument, MountSource, OwnershipConflict, ShadowedMount, TokenContext,
} from './types.js';

export interface ResolveInput {
  image: { name: string; volume_mappings: MappingDocument };
  groups: Array<{ name: string; priority: number; volume_mappings: MappingDocument }>;
  tokens: TokenContext;
  /** when given, every expanded host path must pass it (launch-time check) */
  policy?: HostPathPolicy;
}

/**
 * Every mapping met while merging, by index: parallel arrays rather than a wrapper object per
 * mapping (this loop runs for thousands of mappings at every launch).
 */
interface Table {
  mounts: EffectiveMount[];
  /** precedence: lower wins; the image is -1, groups their index after sorting by priority */
  ranks: number[];
  /** the host-path key as written in the source document (tie-break inside one source) */
  keys: string[];
  /** per winning index: the indexes it beat, in precedence order */
  losers: Array<number[] | undefined>;
}

interface Source {
  source: MountSource;
  doc: MappingDocument;
  rank: number;
}

export function describeSource(source: MountSource): string {
  return source.kind === 'image' ? `image ${JSON.stringify(source.name)}` : `group ${JSON.stringify(source.name)} (priority ${source.priority})`;
}

/** Built field by field (not by spread): same shape for every entry, and cheaper. */
function shadowedMount(m: EffectiveMount, by: MountSource): ShadowedMount {
  return {
    host_path: m.host_path, bind: m.bind, mode: m.mode, uid: m.uid, gid: m.gid, required: m.required,
    timeout: m.timeout, skip_check: m.skip_check, source: m.source, shadowed_by: by,
  };
}

function locationOf(source: MountSource, key: string): string {
  return `${describeSource(source)} ${JSON.stringify(key)}`;
}

function orderedSources(input: ResolveInput): Source[] {
  const groups = [...input.groups].sort((a, b) => a.priority - b.priority || compareStrings(a.name, b.name));
  return [
    { source: { kind: 'image', name: input.image.name, priority: null }, doc: input.image.volume_mappings, rank: -1 },
    ...groups.map((g, index) => ({ source: { kind: 'group', name: g.name, priority: g.priority } as MountSource, doc: g.volume_mappings, rank: index })),
  ];
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function byPrecedence(table: Table, a: number, b: number): number {
  return table.ranks[a]! - table.ranks[b]! || compareStrings(table.mounts[a]!.bind, table.mounts[b]!.bind) || compareStrings(table.keys[a]!, table.keys[b]!);
}

function findConflicts(table: Table, winners: number[]): OwnershipConflict[] {
  const firstByHostPath = new Map<string, number>();
  const shared = new Map<string, number[]>(); // host paths mounted more than once
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
  const conflicts: OwnershipConflict[] = [];
  for (const [hostPath, list] of shared) {
    const first = table.mounts[list[0]!]!;
    if (list.every((i) => table.mounts[i]!.uid === first.uid && table.mounts[i]!.gid === first.gid)) continue;
    list.sort((a, b) => byPrecedence(table, a, b));
    const winner = table.mounts[list[0]!]!;
    conflicts.push({
      host_path: hostPath,
      mounts: list.map((i) => {
        const m = table.mounts[i]!;
        return { bind: m.bind, uid: m.uid, gid: m.gid, source: m.source };
      }),
      applied: { uid: winner.uid, gid: winner.gid, source: winner.source },
    });
  }
  return conflicts.sort((a, b) => compareStrings(a.host_path, b.host_path));
}

/**
 * Image mappings plus every group's, keyed by expanded bind: the image beats any group,
 * a lower group priority number beats a higher one. Deterministic whatever the order of
 * `groups`. Throws MappingDomainError naming the source and key when a path cannot expand
 * safely or (with a policy) is refused.
 */
export function resolveEffectiveMounts(input: ResolveInput): EffectiveMountsView {
  const tokens = input.tokens;
  assertTokenContext(tokens, 'tokens');
  const values = { username: tokens.username, user_id: tokens.user_id.toLowerCase(), image_id: tokens.image_id.toLowerCase() };
  // Expanded paths are clean by construction (checked by expandFast or expandSlow).
  const check = input.policy ? compilePolicy(input.policy, { pathsAreClean: true }) : null;
  const table: Table = { mounts: [], ranks: [], keys: [], losers: [] };
  const winners = new Map<string, number>();
  // Sources are visited in precedence order, so the first to claim a bind wins it.
  for (const { source, doc, rank } of orderedSources(input)) {
    for (const key of Object.keys(doc)) {
      const spec = doc[key]!;
      const hostPath = expandFast(key, values) ?? expandSlow(key, tokens, locationOf(source, key));
      const bind = expandFast(spec.bind, values) ?? expandSlow(spec.bind, tokens, `${locationOf(source, key)}.bind`);
      if (check) {
        const verdict = check(hostPath);
        if (!verdict.ok) throw new MappingDomainError('policy', `${verdict.reason}; ${verdict.suggestion}`, locationOf(source, key));
      }
      const index = table.mounts.length;
      table.mounts.push({
        host_path: hostPath, bind, mode: spec.mode, uid: spec.uid ?? null, gid: spec.gid ?? null,
        required: spec.required, timeout: spec.timeout, skip_check: spec.skip_check, source,
      });
      table.ranks.push(rank);
      table.keys.push(key);
      const existing = winners.get(bind);
      if (existing === undefined) winners.set(bind, index);
      else if (table.ranks[existing] === rank && key < table.keys[existing]!) {
        // Two templates of one document expanded to the same bind: the smaller key wins, stably.
        table.losers[index] = [existing, ...(table.losers[existing] ?? [])];
        table.losers[existing] = undefined;
        winners.set(bind, index);
      } else (table.losers[existing] ??= []).push(index);
    }
  }
  // One native sort of the binds (no comparator callback): the cost that dominates merging.
  const binds = [...winners.keys()].sort();
  const mounts: EffectiveMount[] = [];
  const shadowed: ShadowedMount[] = [];
  const winnerIndexes: number[] = [];
  for (const bind of binds) {
    const w = winners.get(bind)!;
    const winner = table.mounts[w]!;
    winnerIndexes.push(w);
    mounts.push(winner);
    const beaten = table.losers[w];
    if (beaten) for (const l of beaten) shadowed.push(shadowedMount(table.mounts[l]!, winner.source));
  }
  return { mounts, shadowed, conflicts: findConflicts(table, winnerIndexes) };
}
