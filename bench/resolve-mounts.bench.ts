// Benchmark: effective mounts of a user in 500 groups holding 5,000 mappings in all (tokens
// in a third of them) plus an image document, against the least work any merge must do:
// copying the same 5,000 parsed mappings into a Map keyed by bind.
// Rows: documents as the store and the parser hand them out (frozen, so the merge's plan is
// reused: src/mappings/merge-plan.ts); a new username at every call (nothing user-specific
// reusable); with the launch-time policy check; from scratch (documents not frozen:
// merge-general.ts), with and without the template memo; the first two calls over new documents.
// Run: node --import tsx bench/resolve-mounts.bench.ts
import { performance } from 'node:perf_hooks';
import { freezeMappingDocument, parseMappingDocument, resolveEffectiveMounts, type MappingDocument, type MappingSpec } from '../src/mappings/index.js';
import { clearExpansionCache } from '../src/mappings/fast-expand.js';
import { resolveSessionMounts } from '../src/sessions/effective-mounts.js';
import type { GroupRecord, ImageRecord, UserRecord } from '../src/store/types.js';
import { median } from './stats.js';

const GROUPS = 500;
const MAPPINGS = 5000;
const ITERATIONS = 400;
const WARMUP = 100;

function spec(bind: string, i: number): MappingSpec {
  return { bind, mode: i % 4 === 0 ? 'ro' : 'rw', ...(i % 5 === 0 ? { uid: 1000, gid: 1000 } : {}), required: i % 7 !== 0, timeout: 10, skip_check: false };
}

// Mapping i lives in group i % GROUPS; every third uses tokens; some binds repeat across
// groups (never twice in one group: the parser refuses that) so precedence and shadowing are
// exercised, as in a real deployment.
const groups = Array.from({ length: GROUPS }, (_, g) => ({ name: `group-${g}`, priority: g + 1, volume_mappings: {} as MappingDocument }));
for (let i = 0; i < MAPPINGS; i++) {
  const tokenized = i % 3 === 0;
  const host = tokenized ? `/mnt/profiles/${i}/{username}/{image_id}` : `/srv/shares/share-${i}`;
  const bind = tokenized ? `/home/{username}/data-${i % 1700}` : `/data/share-${i % 2999}`;
  groups[i % GROUPS]!.volume_mappings[host] = spec(bind, i);
}
const imageMappings: MappingDocument = {
  '/mnt/profiles/{username}/{image_id}': spec('/home/kasm-user', 1),
  '/var/kasm_user_share': spec('/share', 2),
};

/** Through the parser, as the store and the CLI do: normalized and frozen. */
function stored(doc: MappingDocument): MappingDocument {
  const parsed = parseMappingDocument(JSON.stringify(doc));
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.document;
}
/** A copy that is not frozen: resolved from scratch at every call (merge-general.ts). */
function unfrozen(doc: MappingDocument): MappingDocument {
  return JSON.parse(JSON.stringify(doc)) as MappingDocument;
}
const rawGroups = groups;
const image = { name: 'desktop', volume_mappings: stored(imageMappings) };
const storedGroups = rawGroups.map((g) => ({ ...g, volume_mappings: stored(g.volume_mappings) }));
const scratchImage = { name: 'desktop', volume_mappings: unfrozen(imageMappings) };
const scratchGroups = rawGroups.map((g) => ({ ...g, volume_mappings: unfrozen(g.volume_mappings) }));
const tokens = { username: 'alice@example.org', user_id: '0b6c3a52-6f1e-4d8e-9a53-2f1c7d9e4a10', image_id: '5d2f8e1a-3b4c-4d5e-8f60-718293a4b5c6' };

// The baseline: the same parsed mappings, copied into a Map keyed by bind (no expansion, no
// precedence). Copying frozen objects costs V8 more, so it is measured on both the stored
// (frozen) documents and plain copies, and the ratios use the faster of the two.
function baselineOf(docs: MappingDocument[]): () => Map<string, MappingSpec> {
  return () => copyIntoMap(docs);
}
function copyIntoMap(docs: MappingDocument[]): Map<string, MappingSpec> {
  const out = new Map<string, MappingSpec>();
  for (const doc of docs) {
    for (const key of Object.keys(doc)) {
      const s = doc[key]!;
      out.set(s.bind, { ...s });
    }
  }
  return out;
}

/** CPU time of this process in ms: unlike wall time, it leaves out time spent preempted by other processes. */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/**
 * Runs the contenders in turn, iteration by iteration, so that load from other processes on
 * the machine falls on all of them alike; returns each one's median wall and CPU time in ms.
 */
function measureInterleaved(contenders: Array<() => unknown>): Array<{ wall: number; cpu: number }> {
  const wall = contenders.map(() => [] as number[]);
  const cpu = contenders.map(() => [] as number[]);
  let sink = 0;
  for (let i = 0; i < WARMUP + ITERATIONS; i++) {
    contenders.forEach((fn, c) => {
      const cpuStart = cpuMs();
      const start = performance.now();
      sink += fn() ? 1 : 0;
      const elapsed = performance.now() - start;
      const cpuElapsed = cpuMs() - cpuStart;
      if (i >= WARMUP) {
        wall[c]!.push(elapsed);
        cpu[c]!.push(cpuElapsed);
      }
    });
  }
  if (sink < 0) console.log(sink); // keeps the results alive
  return contenders.map((_, c) => ({ wall: median(wall[c]!), cpu: median(cpu[c]!) }));
}

const policy = { extraDenied: ['/var/lib/docker', '/srv/tether-data'], allowedRoots: [] };
// The first two calls of the process, JIT cold: from scratch, then building the plan.
const coldStart = performance.now();
const view = resolveEffectiveMounts({ image, groups: storedGroups, tokens, policy });
const cold = performance.now() - coldStart;
const coldPlanStart = performance.now();
resolveEffectiveMounts({ image, groups: storedGroups, tokens: { ...tokens, username: 'bob' }, policy });
const coldPlan = performance.now() - coldPlanStart;
// What a launch computes from the same documents: the view, each mount's template and the drift digest.
const imageRecord = { image_id: tokens.image_id, name: image.name, volume_mappings: image.volume_mappings } as ImageRecord;
const groupRecords = storedGroups.map((g) => ({ name: g.name, priority: g.priority, settings: { volume_mappings: g.volume_mappings } })) as GroupRecord[];
const userRecord = { user_id: tokens.user_id, username: tokens.username } as UserRecord;
let nextUser = 0;
const [baseFrozen, baseLoose, resolve, freshUser, withPolicy, launch, scratch, uncached] = measureInterleaved([
  baselineOf([image.volume_mappings, ...storedGroups.map((g) => g.volume_mappings)]),
  baselineOf([scratchImage.volume_mappings, ...scratchGroups.map((g) => g.volume_mappings)]),
  () => resolveEffectiveMounts({ image, groups: storedGroups, tokens }),
  // a new username at every call: nothing user-specific can be reused
  () => resolveEffectiveMounts({ image, groups: storedGroups, tokens: { ...tokens, username: `user-${nextUser++}` } }),
  () => resolveEffectiveMounts({ image, groups: storedGroups, tokens, policy }),
  () => resolveSessionMounts(imageRecord, groupRecords, userRecord, policy),
  () => resolveEffectiveMounts({ image: scratchImage, groups: scratchGroups, tokens }),
  () => {
    clearExpansionCache(); // every template checked again, as on the first launch after a change
    return resolveEffectiveMounts({ image: scratchImage, groups: scratchGroups, tokens });
  },
]) as [Timing, Timing, Timing, Timing, Timing, Timing, Timing, Timing];
const base: Timing = { wall: Math.min(baseFrozen.wall, baseLoose.wall), cpu: Math.min(baseFrozen.cpu, baseLoose.cpu) };

type Timing = { wall: number; cpu: number };
const row = (label: string, t: Timing): string =>
  `${label.padEnd(38)} wall ${t.wall.toFixed(3).padStart(8)} ms (${(t.wall / base.wall).toFixed(2).padStart(6)}x)   cpu ${t.cpu.toFixed(3).padStart(8)} ms (${(t.cpu / base.cpu).toFixed(2).padStart(6)}x)`;

console.log(`mappings: ${MAPPINGS} in ${GROUPS} groups (+${Object.keys(image.volume_mappings).length} image); effective ${view.mounts.length}, shadowed ${view.shadowed.length}, conflicts ${view.conflicts.length}`);
console.log(`medians over ${ITERATIONS} interleaved runs; ratio = time / baseline time (goal: < 5 ms and < 10x)`);
console.log(row('baseline: copy into Map by bind', baseLoose));
console.log(row('  the same over frozen documents', baseFrozen));
console.log(row('resolveEffectiveMounts', resolve));
console.log(row('  a new username at every call', freshUser));
console.log(row('  with a policy check', withPolicy));
console.log(row('  a launch: + templates, drift digest', launch));
console.log(row('  from scratch (documents not frozen)', scratch));
console.log(row('  from scratch, no template memo', uncached));
console.log(`first calls of the process, JIT cold, with a policy: from scratch ${cold.toFixed(3)} ms, then building the plan ${coldPlan.toFixed(3)} ms`);

// New documents (a changed mapping gives a new document): the first resolution over them is
// from scratch, the second builds the plan (so a set of documents resolved only once never
// pays for one). Measured on fresh frozen copies, JIT warm.
const firsts: number[] = [];
const seconds: number[] = [];
for (let i = 0; i < 30; i++) {
  const freshImage = { name: 'desktop', volume_mappings: freezeMappingDocument(unfrozen(imageMappings)) };
  const freshGroups = rawGroups.map((g) => ({ ...g, volume_mappings: freezeMappingDocument(unfrozen(g.volume_mappings)) }));
  for (const samples of [firsts, seconds]) {
    const start = performance.now();
    resolveEffectiveMounts({ image: freshImage, groups: freshGroups, tokens });
    samples.push(performance.now() - start);
  }
}
console.log(`new documents, first call (from scratch): ${median(firsts).toFixed(3)} ms; second call (builds the plan): ${median(seconds).toFixed(3)} ms (medians of ${firsts.length})`);
