// Resolution from scratch: every template expanded and checked, every bind claimed, every
// winner sorted. Errors name the first offending source and key in precedence order.
import { MappingDomainError } from './errors.js';
import { expandFast, type CheckedTokenValues } from './fast-expand.js';
import { claimBind, conflictsOf, hostPathsSharedBy, locationOf, mountOf, shadowedMount, type MergeTable, type RankedSource, type Resolution } from './merge-rules.js';
import { bindRefusal, type HostPathVerdict } from './policy.js';
import { expandSlow } from './tokens.js';
import type { EffectiveMount, ShadowedMount, TokenContext } from './types.js';

export function resolveGeneral(
  sources: RankedSource[], tokens: TokenContext, values: CheckedTokenValues, check: ((path: string) => HostPathVerdict) | null,
): Resolution {
  const mounts: EffectiveMount[] = [];
  const ranks: number[] = [];
  const keys: string[] = [];
  const table: MergeTable = { mounts, ranks, keys, losers: [] };
  const winners = new Map<string, number>();
  // Sources are visited in precedence order, so the first to claim a bind wins it.
  for (const { source, doc, rank } of sources) {
    for (const key of Object.keys(doc)) {
      const spec = doc[key]!;
      const hostPath = expandFast(key, values) ?? expandSlow(key, tokens, locationOf(source, key));
      const bind = expandFast(spec.bind, values) ?? expandSlow(spec.bind, tokens, `${locationOf(source, key)}.bind`);
      // Never configurable: a bind onto /proc, /sys, /dev or /etc (a token may have made one).
      const badBind = bindRefusal(bind);
      if (badBind !== null) throw new MappingDomainError('policy', badBind, `${locationOf(source, key)}.bind`);
      if (check) {
        const verdict = check(hostPath);
        if (!verdict.ok) throw new MappingDomainError('policy', `${verdict.reason}; ${verdict.suggestion}`, locationOf(source, key));
      }
      const index = mounts.length;
      mounts.push(mountOf(spec, hostPath, bind, source));
      ranks.push(rank);
      keys.push(key);
      claimBind(bind, index, ranks, keys, winners, table.losers);
    }
  }
  // One native sort of the binds (no comparator callback: faster than any written in JS).
  const binds = [...winners.keys()].sort();
  const out: EffectiveMount[] = [];
  const shadowed: ShadowedMount[] = [];
  const winnerIndexes: number[] = [];
  const templates: string[] = [];
  for (const bind of binds) {
    const w = winners.get(bind)!;
    const winner = mounts[w]!;
    winnerIndexes.push(w);
    out.push(winner);
    templates.push(keys[w]!);
    const beaten = table.losers[w];
    if (beaten) for (const l of beaten) shadowed.push(shadowedMount(mounts[l]!, winner.source));
  }
  return { view: { mounts: out, shadowed, conflicts: conflictsOf(table, hostPathsSharedBy(table, winnerIndexes)) }, templates };
}
