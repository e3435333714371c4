// Benchmark: the effective mounts of one user, at two sizes: 500 groups holding 5,000
// mappings (tokens in a third of them), the goal's size, and 50 groups holding 200, a
// realistic deployment. Each against the least work any merge must do: copying the same
// parsed mappings into a Map keyed by bind. Rows: the resolution; a new username at every call;
// with the launch-time policy check; what a launch computes (+ templates, drift digest); and
// the key an edge cache would need (a SHA-256 of the documents' text), to show whether caching
// a resolution could pay for itself.
// Run: node --import tsx bench/resolve-mounts.bench.ts
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { parseMappingDocument, resolveEffectiveMounts, type MappingDocument, type MappingSpec } from '../src/mappings/index.js';
import { resolveSessionMounts } from '../src/sessions/effective-mounts.js';
import { storedMappings } from '../src/store/stored-mappings.js';
import type { GroupRecord, ImageRecord, UserRecord } from '../src/store/types.js';
import { median } from './stats.js';

const ITERATIONS = 300;
const WARMUP = 100;
const tokens = { username: 'alice@example.org', user_id: '0b6c3a52-6f1e-4d8e-9a53-2f1c7d9e4a10', image_id: '5d2f8e1a-3b4c-4d5e-8f60-718293a4b5c6' };
const policy = { extraDenied: ['/var/lib/docker', '/srv/tether-data'], allowedRoots: [] };

function spec(bind: string, i: number): MappingSpec {
  return { bind, mode: i % 4 === 0 ? 'ro' : 'rw', ...(i % 5 === 0 ? { uid: 1000, gid: 1000 } : {}), required: i % 7 !== 0, timeout: 10, skip_check: false };
}

/** Validated by the parser, as the API does before storing; then read back as the store hands it out. */
function parsed(doc: MappingDocument): MappingDocument {
  const result = parseMappingDocument(JSON.stringify(doc));
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return storedMappings(JSON.stringify(result.document), 'bench');
}

// Mapping i lives in group i % groups; every third uses tokens; some binds repeat across
// groups (never twice in one group: the parser refuses that) so precedence and shadowing are
// exercised, as in a real deployment.
// The two spreads are chosen so that two binds of one group never meet (lcm with groupCount > mappingCount).
function deployment(groupCount: number, mappingCount: number, fixedSpread: number, tokenSpread: number) {
  const groups = Array.from({ length: groupCount }, (_, g) => ({ name: `group-${g}`, priority: g + 1, volume_mappings: {} as MappingDocument }));
  for (let i = 0; i < mappingCount; i++) {
    const tokenized = i % 3 === 0;
    const host = tokenized ? `/mnt/profiles/${i}/{username}/{image_id}` : `/srv/shares/share-${i}`;
    const bind = tokenized ? `/home/{username}/data-${i % tokenSpread}` : `/data/share-${i % fixedSpread}`;
    groups[i % groupCount]!.volume_mappings[host] = spec(bind, i);
  }
  const image = { name: 'desktop', volume_mappings: parsed({ '/mnt/profiles/{username}/{image_id}': spec('/home/kasm-user', 1), '/var/kasm_user_share': spec('/share', 2) }) };
  return { image, groups: groups.map((g) => ({ ...g, volume_mappings: parsed(g.volume_mappings) })) };
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

type Timing = { wall: number; cpu: number };

/**
 * Runs the contenders in turn, iteration by iteration, so that load from other processes on
 * the machine falls on all of them alike; returns each one's median wall and CPU time in ms.
 */
function measureInterleaved(contenders: Array<() => unknown>): Timing[] {
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

function run(groupCount: number, mappingCount: number, fixedSpread: number, tokenSpread: number): void {
  const { image, groups } = deployment(groupCount, mappingCount, fixedSpread, tokenSpread);
  const coldStart = performance.now();
  const view = resolveEffectiveMounts({ image, groups, tokens, policy });
  const cold = performance.now() - coldStart;
  const imageRecord = { image_id: tokens.image_id, name: image.name, volume_mappings: image.volume_mappings } as ImageRecord;
  const groupRecords = groups.map((g) => ({ name: g.name, priority: g.priority, settings: { volume_mappings: g.volume_mappings } })) as GroupRecord[];
  const userRecord = { user_id: tokens.user_id, username: tokens.username } as UserRecord;
  const texts = [image.volume_mappings, ...groups.map((g) => g.volume_mappings)].map((d) => JSON.stringify(d));
  let nextUser = 0;
  const [base, resolve, freshUser, withPolicy, launch, cacheKey] = measureInterleaved([
    () => copyIntoMap([image.volume_mappings, ...groups.map((g) => g.volume_mappings)]),
    () => resolveEffectiveMounts({ image, groups, tokens }),
    () => resolveEffectiveMounts({ image, groups, tokens: { ...tokens, username: `user-${nextUser++}` } }),
    () => resolveEffectiveMounts({ image, groups, tokens, policy }),
    () => resolveSessionMounts(imageRecord, groupRecords, userRecord, policy),
    () => {
      const hash = createHash('sha256');
      for (const t of texts) hash.update(t);
      return hash.digest('hex');
    },
  ]) as [Timing, Timing, Timing, Timing, Timing, Timing];
  const row = (label: string, t: Timing): string =>
    `${label.padEnd(40)} wall ${t.wall.toFixed(3).padStart(8)} ms (${(t.wall / base.wall).toFixed(2).padStart(6)}x)   cpu ${t.cpu.toFixed(3).padStart(8)} ms (${(t.cpu / base.cpu).toFixed(2).padStart(6)}x)`;
  console.log(`\nmappings: ${mappingCount} in ${groupCount} groups (+${Object.keys(image.volume_mappings).length} image); effective ${view.mounts.length}, shadowed ${view.shadowed.length}, conflicts ${view.conflicts.length}`);
  console.log(`medians over ${ITERATIONS} interleaved runs; ratio = time / baseline time`);
  console.log(row('baseline: copy into Map by bind', base));
  console.log(row('resolveEffectiveMounts', resolve));
  console.log(row('  a new username at every call', freshUser));
  console.log(row('  with a policy check', withPolicy));
  console.log(row('  a launch: + templates, drift digest', launch));
  console.log(row('an edge cache\'s key (SHA-256 of texts)', cacheKey));
  console.log(`first call over these documents, JIT cold, with a policy: ${cold.toFixed(3)} ms`);
}

console.log('goal at 5,000 mappings: <= 5 ms and <= 10x the baseline');
run(500, 5000, 2999, 1700);
run(50, 200, 119, 67);
