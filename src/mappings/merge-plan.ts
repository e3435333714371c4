// Resolution with a plan: the part of a merge that does not depend on the user is done once
// per set of documents and reused by every resolution over the same documents (every launch
// of an image by the members of the same groups).
//
// Binds are claimed by their templates: a template with tokens gives the same path wherever it
// is written, and two different templates give different paths unless the values make them
// meet. So the winners, the shadowed and the host paths they share are settled once, and the
// templates are sorted into runs that hold for every user (sorted-runs.ts). A call expands
// the templates, merges the runs, and checks on the way that no two different templates met.
// When two did meet, a bind is refused, or (with a policy) a path is refused, it returns null and
// merge-general.ts resolves from scratch: a planned result is always the one merge-general.ts
// gives (tested property by property, with values chosen to make templates meet).
import { BoundedMemo } from './bounded-memo.js';
import { compiledDocument, type CompiledDocument, type CompiledPath } from './compiled-document.js';
import { expandCompiled, type CheckedTokenValues } from './fast-expand.js';
import { claimBind, conflictsOf, mountOf, shadowedMount, type MergeTable, type RankedSource, type Resolution } from './merge-rules.js';
import { bindRefusal, type HostPathVerdict } from './policy.js';
import { encodePath, holdsTokenCode, mergeRuns, sortedRuns } from './sorted-runs.js';
import type { EffectiveMount, MappingDocument, MappingSpec, MountSource, OwnershipConflict, ShadowedMount } from './types.js';

interface Plan {
  /** per entry (every mapping, in precedence order) */
  sources: MountSource[];
  ranks: number[];
  keys: string[];
  specs: MappingSpec[];
  hosts: CompiledPath[];
  binds: CompiledPath[];
  /** entries whose host path holds tokens (the policy checks them at every call) */
  tokenHosts: number[];
  /** entries whose bind holds tokens (checked against the protected container paths at every call) */
  tokenBinds: number[];
  /** whether every token-free bind stays off the protected container paths */
  fixedBindsPass: boolean;
  /** whom each winner beat, by entry (winners only) */
  losers: Array<number[] | undefined>;
  /** the winners (one per bind template), in runs sorted for every user */
  bindRuns: number[][];
  /** one winner per distinct host template, in runs sorted for every user: proves no two meet */
  hostRuns: number[][];
  /** winners sharing a host template (conflictsOf reports those disagreeing on uid/gid) */
  conflicting: number[][];
  /** per policy (by its key): whether every token-free host path passes it */
  fixedHostsPass: Map<string, boolean>;
}

/**
 * A set of sources seen before: the documents, names and priorities in precedence order, and
 * its plan: null until the set is seen a second time (a plan costs about two resolutions from
 * scratch to build, so a set resolved only once never pays for one), false when it cannot
 * have one.
 */
interface Sighting {
  docs: MappingDocument[];
  names: string[];
  priorities: Array<number | null>;
  plan: Plan | null | false;
}

/**
 * Sightings per image, most recently used first; a handful per image is plenty. Keyed by the
 * image's document and then its name: the store hands out one frozen document per distinct
 * text, so many images can share one (every image with "{}"), and they must not evict each
 * other's sightings.
 */
const sightingsByImage = new WeakMap<MappingDocument, BoundedMemo<string, Sighting[]>>();
const SIGHTINGS_PER_IMAGE = 16;
/** Images sharing one document, by name; bounded so renamed images do not pile up. */
const IMAGES_PER_DOCUMENT = 1024;
const noSightings = (): Sighting[] => [];

function sightingsOf(image: RankedSource): Sighting[] {
  let byName = sightingsByImage.get(image.doc);
  if (byName === undefined) {
    byName = new BoundedMemo(IMAGES_PER_DOCUMENT);
    sightingsByImage.set(image.doc, byName);
  }
  return byName.get(image.source.name, noSightings);
}

function matches(seen: Sighting, sources: RankedSource[]): boolean {
  if (seen.docs.length !== sources.length) return false;
  for (let i = 0; i < sources.length; i++) {
    const { doc, source } = sources[i]!;
    if (seen.docs[i] !== doc || seen.names[i] !== source.name || seen.priorities[i] !== source.priority) return false;
  }
  return true;
}

/**
 * The plan for these sources: null on first sight, or when a document cannot be prepared
 * (only frozen documents can: see compiled-document.ts).
 */
function planFor(sources: RankedSource[]): Plan | null {
  for (const { doc } of sources) if (!Object.isFrozen(doc)) return null;
  const sightings = sightingsOf(sources[0]!);
  const found = sightings.findIndex((seen) => matches(seen, sources));
  if (found < 0) {
    sightings.unshift({ docs: sources.map((s) => s.doc), names: sources.map((s) => s.source.name), priorities: sources.map((s) => s.source.priority), plan: null });
    if (sightings.length > SIGHTINGS_PER_IMAGE) sightings.pop();
    return null;
  }
  const seen = sightings[found]!;
  if (found > 0) sightings.unshift(...sightings.splice(found, 1));
  if (seen.plan === null) seen.plan = buildPlan(sources) ?? false;
  return seen.plan === false ? null : seen.plan;
}

function buildPlan(rankedSources: RankedSource[]): Plan | null {
  const docs: CompiledDocument[] = [];
  for (const { doc } of rankedSources) {
    const compiled = compiledDocument(doc);
    if (compiled === null) return null;
    docs.push(compiled);
  }
  const plan: Plan = {
    sources: [], ranks: [], keys: [], specs: [], hosts: [], binds: [], tokenHosts: [], tokenBinds: [], fixedBindsPass: true,
    losers: [], bindRuns: [], hostRuns: [], conflicting: [], fixedHostsPass: new Map(),
  };
  const encodedBinds: string[] = [];
  const encodedHosts: string[] = [];
  const winners = new Map<string, number>(); // encoded bind template -> winning entry
  for (let s = 0; s < rankedSources.length; s++) {
    const { source, rank } = rankedSources[s]!;
    const doc = docs[s]!;
    for (let k = 0; k < doc.keys.length; k++) {
      const index = plan.keys.length;
      const host = doc.hosts[k]!;
      const bind = doc.binds[k]!;
      // A fixed path holding a code point that encodes tokens would confuse the runs.
      if ((typeof host === 'string' && holdsTokenCode(host)) || (typeof bind === 'string' && holdsTokenCode(bind))) return null;
      plan.sources.push(source);
      plan.ranks.push(rank);
      plan.keys.push(doc.keys[k]!);
      plan.specs.push(doc.specs[k]!);
      plan.hosts.push(host);
      plan.binds.push(bind);
      encodedHosts.push(encodePath(host));
      encodedBinds.push(encodePath(bind));
      if (typeof host !== 'string') plan.tokenHosts.push(index);
      if (typeof bind !== 'string') plan.tokenBinds.push(index);
      else if (bindRefusal(bind) !== null) plan.fixedBindsPass = false;
      claimBind(encodedBinds[index]!, index, plan.ranks, plan.keys, winners, plan.losers);
    }
  }
  const winnerList = [...winners.values()];
  plan.bindRuns = sortedRuns(winnerList, (e) => encodedBinds[e]!);
  // Winners sharing a host template share the host path for every user.
  const byHost = new Map<string, number[]>();
  for (const w of winnerList) {
    const list = byHost.get(encodedHosts[w]!);
    if (list) list.push(w);
    else byHost.set(encodedHosts[w]!, [w]);
  }
  plan.hostRuns = sortedRuns([...byHost.values()].map((list) => list[0]!), (e) => encodedHosts[e]!);
  // Whether they disagree on uid/gid is for conflictsOf to say (it skips lists that agree).
  for (const list of byHost.values()) if (list.length > 1) plan.conflicting.push(list);
  return plan;
}

/** Whether every token-free host path of the plan passes the policy; checked once per policy. */
function fixedHostsPass(plan: Plan, policyKey: string, check: (path: string) => HostPathVerdict): boolean {
  let pass = plan.fixedHostsPass.get(policyKey);
  if (pass === undefined) {
    pass = plan.hosts.every((host) => typeof host !== 'string' || check(host).ok);
    plan.fixedHostsPass.set(policyKey, pass);
  }
  return pass;
}

/**
 * The view for these sources and values, or null when the plan leaves the case to
 * merge-general.ts (a document not prepared, two templates meeting, a refusal).
 */
export function resolvePlanned(
  sources: RankedSource[], values: CheckedTokenValues, policy: { key: string; check: (path: string) => HostPathVerdict } | null,
): Resolution | null {
  const plan = planFor(sources);
  if (plan === null) return null;
  if (!plan.fixedBindsPass || (policy && !fixedHostsPass(plan, policy.key, policy.check))) return null;
  const { specs, hosts, binds } = plan;
  const count = specs.length;
  const mounts: EffectiveMount[] = new Array<EffectiveMount>(count);
  for (let e = 0; e < count; e++) {
    const host = hosts[e]!;
    const bind = binds[e]!;
    mounts[e] = mountOf(
      specs[e]!,
      typeof host === 'string' ? host : expandCompiled(host, values),
      typeof bind === 'string' ? bind : expandCompiled(bind, values),
      plan.sources[e]!,
    );
  }
  if (policy) for (const e of plan.tokenHosts) if (!policy.check(mounts[e]!.host_path).ok) return null;
  for (const e of plan.tokenBinds) if (bindRefusal(mounts[e]!.bind) !== null) return null;
  const order = mergeRuns(plan.bindRuns, (e) => mounts[e]!.bind);
  if (order === null) return null; // two bind templates met
  if (mergeRuns(plan.hostRuns, (e) => mounts[e]!.host_path) === null) return null; // two host templates met

  const out: EffectiveMount[] = new Array<EffectiveMount>(order.length);
  const templates: string[] = new Array<string>(order.length);
  const shadowed: ShadowedMount[] = [];
  for (let i = 0; i < order.length; i++) {
    const w = order[i]!;
    const winner = mounts[w]!;
    out[i] = winner;
    templates[i] = plan.keys[w]!;
    const beaten = plan.losers[w];
    if (beaten) for (const l of beaten) shadowed.push(shadowedMount(mounts[l]!, winner.source));
  }
  return { view: { mounts: out, shadowed, conflicts: conflictsWithin(plan, mounts) }, templates };
}

/** Ownership conflicts: the plan knows which winners share a host path; their expansions name it. */
function conflictsWithin(plan: Plan, mounts: EffectiveMount[]): OwnershipConflict[] {
  if (plan.conflicting.length === 0) return [];
  const table: MergeTable = { mounts, ranks: plan.ranks, keys: plan.keys, losers: plan.losers };
  return conflictsOf(table, plan.conflicting.map((list): [string, number[]] => [mounts[list[0]!]!.host_path, list]));
}
