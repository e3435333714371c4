// Resolution from scratch: every template expanded and checked, every mapping sorted by bind
// then precedence, the first of each run mounted and the rest shadowed. Errors name the first
// offending source and key in precedence order.
import { MappingDomainError } from './errors.js';
import { expandSimple, type CheckedTokenValues } from './expand-simple.js';
import { locationOf, mountOf, ownershipConflicts, shadowedMount, winnerOfRun, type RankedSource, type Resolution } from './merge-rules.js';
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
  const binds: string[] = [];
  const origins: MountSource[] = [];
  const ranks: number[] = [];
  const keys: string[] = [];
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
      binds.push(bind);
      origins.push(source);
      ranks.push(rank);
      keys.push(key);
    }
  }
  // By bind, then precedence: the mappings that claim one bind form a run, in precedence
  // order, and the winners come out sorted by bind. A sort rather than a Map keyed by bind:
  // past 4,096 entries a Map's table is one large object to V8 (allocated afresh at every
  // call, ~1.7 ms on the 2-core VMs measured: more than this whole sort).
  const order = Array.from({ length: binds.length }, (_, i) => i);
  order.sort((a, b) => (binds[a]! < binds[b]! ? -1 : binds[a]! > binds[b]! ? 1 : a - b));
  const mounts: EffectiveMount[] = [];
  const winnerRanks: number[] = [];
  const templates: string[] = [];
  const shadowed: ShadowedMount[] = [];
  for (let start = 0; start < order.length;) {
    const bind = binds[order[start]!]!;
    let end = start + 1;
    while (end < order.length && binds[order[end]!] === bind) end++;
    const w = winnerOfRun(order, start, end, ranks, keys);
    const winner = mountOf(specs[w]!, hostPaths[w]!, bind, origins[w]!);
    mounts.push(winner);
    winnerRanks.push(ranks[w]!);
    templates.push(keys[w]!);
    for (let k = start; k < end; k++) {
      const l = order[k]!;
      if (l !== w) shadowed.push(shadowedMount(specs[l]!, hostPaths[l]!, origins[l]!, winner));
    }
    start = end;
  }
  return { view: { mounts, shadowed, conflicts: ownershipConflicts(mounts, winnerRanks) }, templates };
}
