// Resolution from scratch: every template expanded and checked, every bind claimed, every
// winner sorted. Errors name the first offending source and key in precedence order.
import { MappingDomainError } from './errors.js';
import { expandSimple, type CheckedTokenValues } from './expand-simple.js';
import { claimBind, locationOf, mountOf, ownershipConflicts, shadowedMount, type RankedSource, type Resolution } from './merge-rules.js';
import { bindRefusal, type HostPathVerdict } from './policy.js';
import { expandChecked } from './tokens.js';
import type { EffectiveMount, MappingSpec, MountSource, ShadowedMount, TokenContext } from './types.js';

export function resolveGeneral(
  sources: RankedSource[], tokens: TokenContext, values: CheckedTokenValues, check: ((path: string) => HostPathVerdict) | null,
): Resolution {
  // Every mapping met, by index in precedence order, in parallel arrays: a mount object is
  // made only for what ends up in the view (thousands of mappings at every launch).
  const specs: MappingSpec[] = [];
  const hostPaths: string[] = [];
  const origins: MountSource[] = [];
  const ranks: number[] = [];
  const keys: string[] = [];
  const winners = new Map<string, number>();
  const losers: Array<number[] | undefined> = [];
  // Sources are visited in precedence order, so the first to claim a bind wins it.
  for (const { source, doc, rank } of sources) {
    for (const key of Object.keys(doc)) {
      const spec = doc[key]!;
      const hostPath = expandSimple(key, values) ?? expandChecked(key, tokens, locationOf(source, key));
      const bind = expandSimple(spec.bind, values) ?? expandChecked(spec.bind, tokens, `${locationOf(source, key)}.bind`);
      // Never configurable: a bind onto /proc, /sys, /dev or /etc (a token may have made one).
      const badBind = bindRefusal(bind);
      if (badBind !== null) throw new MappingDomainError('policy', badBind, `${locationOf(source, key)}.bind`);
      if (check) {
        const verdict = check(hostPath);
        if (!verdict.ok) throw new MappingDomainError('policy', `${verdict.reason}; ${verdict.suggestion}`, locationOf(source, key));
      }
      specs.push(spec);
      hostPaths.push(hostPath);
      origins.push(source);
      ranks.push(rank);
      keys.push(key);
      claimBind(bind, ranks.length - 1, ranks, keys, winners, losers);
    }
  }
  // One native sort of the binds (no comparator callback: faster than any written in JS).
  const binds = [...winners.keys()].sort();
  const mounts: EffectiveMount[] = [];
  const winnerRanks: number[] = [];
  const templates: string[] = [];
  const shadowed: ShadowedMount[] = [];
  for (const bind of binds) {
    const w = winners.get(bind)!;
    const winner = mountOf(specs[w]!, hostPaths[w]!, bind, origins[w]!);
    mounts.push(winner);
    winnerRanks.push(ranks[w]!);
    templates.push(keys[w]!);
    const beaten = losers[w];
    if (beaten) for (const l of beaten) shadowed.push(shadowedMount(specs[l]!, hostPaths[l]!, origins[l]!, winner));
  }
  return { view: { mounts, shadowed, conflicts: ownershipConflicts(mounts, winnerRanks) }, templates };
}
