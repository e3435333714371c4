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

interface Candidate {
  mount: EffectiveMount;
  /** precedence: lower wins; the image is -1, groups their index after sorting by priority */
  rank: number;
  /** the host-path key as written in the source document (tie-break inside one source) */
  key: string;
  /** mappings this one beat, in precedence order (null: none, the common case) */
  losers: Candidate[] | null;
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

function byPrecedence(a: Candidate, b: Candidate): number {
  return a.rank - b.rank || compareStrings(a.mount.bind, b.mount.bind) || compareStrings(a.key, b.key);
}

function findConflicts(winners: Candidate[]): OwnershipConflict[] {
  const firstByHostPath = new Map<string, Candidate>();
  const shared = new Map<string, Candidate[]>(); // host paths mounted more than once
  for (const c of winners) {
    const first = firstByHostPath.get(c.mount.host_path);
    if (!first) firstByHostPath.set(c.mount.host_path, c);
    else {
      const list = shared.get(c.mount.host_path);
      if (list) list.push(c);
      else shared.set(c.mount.host_path, [first, c]);
    }
  }
  const conflicts: OwnershipConflict[] = [];
  for (const [hostPath, list] of shared) {
    const first = list[0]!.mount;
    if (list.every((c) => c.mount.uid === first.uid && c.mount.gid === first.gid)) continue;
    list.sort(byPrecedence);
    const winner = list[0]!.mount;
    conflicts.push({
      host_path: hostPath,
      mounts: list.map(({ mount }) => ({ bind: mount.bind, uid: mount.uid, gid: mount.gid, source: mount.source })),
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
  const check = input.policy ? compilePolicy(input.policy) : null;
  const winners = new Map<string, Candidate>();
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
      const candidate: Candidate = {
        rank,
        key,
        mount: {
          host_path: hostPath, bind, mode: spec.mode, uid: spec.uid ?? null, gid: spec.gid ?? null,
          required: spec.required, timeout: spec.timeout, skip_check: spec.skip_check, source,
        },
        losers: null,
      };
      const existing = winners.get(bind);
      if (!existing) winners.set(bind, candidate);
      else if (existing.rank === rank && key < existing.key) {
        // Two templates of one document expanded to the same bind: the smaller key wins, stably.
        candidate.losers = [existing, ...(existing.losers ?? [])];
        existing.losers = null;
        winners.set(bind, candidate);
      } else (existing.losers ??= []).push(candidate);
    }
  }
  // One native sort of the binds (no comparator callback): the cost that dominates merging.
  const binds = [...winners.keys()].sort();
  const mounts: EffectiveMount[] = [];
  const shadowed: ShadowedMount[] = [];
  const winnerList: Candidate[] = [];
  for (const bind of binds) {
    const winner = winners.get(bind)!;
    winnerList.push(winner);
    mounts.push(winner.mount);
    if (winner.losers) for (const { mount: m } of winner.losers) shadowed.push(shadowedMount(m, winner.mount.source));
  }
  return { mounts, shadowed, conflicts: findConflicts(winnerList) };
}
