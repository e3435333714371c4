// Benchmark: host preparation of 3 mappings (mkdir below the prefix, chown, connectivity),
//   A. through the local worker processes (Tether on the engine's host),
//   B. through a helper container per request on the engine (the remote path),
// against the baseline measured in the same run: dockerode createContainer + start of the test
// image with the same 3 bind mounts (what a launch costs anyway), and against doing nothing.
// Run: node --import tsx bench/hostprep.bench.ts   (needs scripts/lab/ensure-all.sh first)
import { performance } from 'node:perf_hooks';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createEngineHostPreparer, createLocalHostPreparer, type HostPreparer, type PrepareRequest } from '../src/hostprep/index.js';
import { LOCAL_PREPARER_WORKERS } from '../src/server-sessions.js';
import { dockerClient, removeLabelled, TEST_IMAGE } from '../test/helpers/docker.js';
import { median } from './stats.js';

const LOCAL_RUNS = 60;
const ENGINE_RUNS = 20;
const CONTAINER_RUNS = 20;
const docker = dockerClient();
const base = mkdtempSync('/tmp/tether-bench-hostprep-');
const prefixes = ['a', 'b', 'c'].map((p) => `${base}/${p}`);
for (const p of prefixes) mkdirSync(p);

function requests(i: number, tag: string): PrepareRequest[] {
  return prefixes.map((p) => ({ hostPath: `${p}/${tag}-${i}`, fixedPrefix: p, uid: 1000, gid: 1000, skipCheck: false, timeoutMs: 30_000, session: `bench-${tag}` }));
}

async function timePrepare(preparer: HostPreparer, runs: number, tag: string): Promise<number[]> {
  const times: number[] = [];
  for (let i = -3; i < runs; i++) {
    const t0 = performance.now();
    const results = await Promise.all(requests(i + 3, tag).map((r) => preparer.prepare(r)));
    const dt = performance.now() - t0;
    if (!results.every((r) => r.ok)) throw new Error(`bench: preparation failed: ${JSON.stringify(results)}`);
    if (i >= 0) times.push(dt);
    // detaching the stages is part of every launch, but after the container started: untimed here
    await preparer.release(`bench-${tag}`);
  }
  return times;
}

async function timeCreateStart(runs: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = -2; i < runs; i++) {
    const t0 = performance.now();
    const c = await docker.createContainer({
      Image: TEST_IMAGE,
      Labels: { 'tether.bench': '1' },
      HostConfig: { NetworkMode: 'none', Mounts: prefixes.map((p, k) => ({ Type: 'bind' as const, Source: p, Target: `/m${k}`, ReadOnly: false })) },
    });
    await c.start();
    const dt = performance.now() - t0;
    await c.remove({ force: true });
    if (i >= 0) times.push(dt);
  }
  return times;
}

async function timeNothing(runs: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await Promise.all(requests(i, 'none').map(async () => undefined));
    times.push(performance.now() - t0);
  }
  return times;
}

// the pool the server runs with (server-sessions.ts)
const local = createLocalHostPreparer(LOCAL_PREPARER_WORKERS);
const engine = createEngineHostPreparer({ docker, image: TEST_IMAGE });
try {
  await docker.getImage(TEST_IMAGE).inspect();
  const nothing = median(await timeNothing(LOCAL_RUNS));
  const localMs = median(await timePrepare(local, LOCAL_RUNS, 'local'));
  const engineMs = median(await timePrepare(engine, ENGINE_RUNS, 'engine'));
  const createStartMs = median(await timeCreateStart(CONTAINER_RUNS));
  const f = (x: number): string => `${x.toFixed(2)} ms`;
  console.log('host preparation of 3 mappings (in parallel), medians:');
  console.log(`  nothing (baseline floor)                       ${f(nothing)}`);
  console.log(`  local worker processes        (${LOCAL_RUNS} runs)       ${f(localMs)}`);
  console.log(`  engine helper container/request (${ENGINE_RUNS} runs)     ${f(engineMs)}`);
  console.log(`  baseline: createContainer+start, 3 binds (${CONTAINER_RUNS} runs) ${f(createStartMs)}`);
  console.log(`ratios: local / create+start = ${(localMs / createStartMs).toFixed(3)}; engine helper / local = ${(engineMs / localMs).toFixed(1)}x; engine helper / create+start = ${(engineMs / createStartMs).toFixed(2)}`);
  console.log(`local overhead over nothing: +${f(localMs - nothing)}`);
} finally {
  await local.close();
  await engine.sweep();
  await removeLabelled(docker, 'tether.bench=1');
  rmSync(base, { recursive: true, force: true });
}
