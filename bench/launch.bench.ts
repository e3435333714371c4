// Session launch on the real Docker Engine, each against its baseline in the same run:
//   (a) latency, API request (POST /api/v1/sessions over loopback) -> running, of a session
//       with 3 mappings, vs dockerode createContainer+start of the same image with the same
//       3 bind mounts, network, confinement and limits, from the same process; medians over
//       RUNS launches each, interleaved.
//       Goal: at most 1.25x.
//   (b) 50 concurrent launches by 50 users: all must succeed; throughput vs the same 50 bare
//       creates+starts at once.
//   (c) p95 latency of 100 healthy launches while a required mapping hangs (SSHFS server
//       stopped, launches on it kept in flight all along) vs without the hang. Goal: within 1.2x.
// Run: node --import tsx bench/launch.bench.ts   (BENCH_RUNS=50, BENCH_P95_RUNS=100)
import { mkdirSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type Dockerode from 'dockerode';
import { FAST_STOP_CMD, mapping, sessionApiLab } from '../test/helpers/sessions.js';
import { startSshfsExport } from '../test/helpers/sshfs.js';
import { TEST_IMAGE } from '../test/helpers/docker.js';
import type { ImageRecord } from '../src/store/types.js';
import { LOCAL_PREPARER_WORKERS } from '../src/server-sessions.js';
import { BUILT_IN_CONTAINER_DEFAULTS, confinementFor } from '../src/sessions/container-confinement.js';
import { createOptionsFor } from '../src/runtime/docker/container-spec.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 50);
const P95_RUNS = Number(process.env.BENCH_P95_RUNS ?? 100);
const CONCURRENT = 50;
/** which parts to run, e.g. BENCH_PARTS=c */
const PARTS = process.env.BENCH_PARTS ?? 'abc';

const median = (xs: number[]) => quantile(xs, 0.5);
function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)] as number;
}
const fmt = (ms: number) => `${ms.toFixed(1)} ms`;

async function main(): Promise<void> {
  // host preparation configured as `tether server` configures it; BENCH_MIN_WORKERS overrides
  const minWorkers = Number(process.env.BENCH_MIN_WORKERS ?? LOCAL_PREPARER_WORKERS.minWorkers);
  const env = await sessionApiLab('sqlite', { minWorkers, maxWorkers: Math.max(LOCAL_PREPARER_WORKERS.maxWorkers, minWorkers) });
  const { lab } = env;
  const nas = await startSshfsExport();
  try {
    const root = await lab.folder(`/srv/tether-bench-${lab.runId}`);
    for (const d of ['a', 'b', 'c']) mkdirSync(`${root}/${d}`);
    const image = await lab.image({ [`${root}/a`]: mapping('/a', { uid: 1000, gid: 1000 }), [`${root}/b`]: mapping('/b'), [`${root}/c`]: mapping('/c', { mode: 'ro' }) });
    const binds = ['a', 'b', 'c'].map((d) => ({ Type: 'bind' as const, Source: `${root}/${d}`, Target: `/${d}`, ReadOnly: d === 'c' }));
    const { token } = await env.api.makeUser(`bench-${lab.runId}`);

    const tether = async (t = token, img: ImageRecord = image): Promise<{ ms: number; id: string; state: string }> => {
      const t0 = performance.now();
      const res = await fetch(`${env.url}/api/v1/sessions`, { method: 'POST', headers: { authorization: `Bearer ${t}`, 'content-type': 'application/json' }, body: JSON.stringify({ image: img.name }) });
      const created = (await res.json()) as { id: string; message?: string };
      if (res.status !== 201) throw new Error(`launch: HTTP ${res.status} ${created.message}`);
      const done = await lab.manager.waitForLaunch(created.id);
      return { ms: performance.now() - t0, id: created.id, state: done.state };
    };
    // the baseline creates the container a session gets (same network, confinement and
    // limits, from the same pure translation), so the ratio is Tether's own work
    const confinement = confinementFor(image, BUILT_IN_CONTAINER_DEFAULTS);
    let bareCount = 0;
    const bareOptions = () => {
      const o = createOptionsFor({
        name: `tether-bench-${lab.runId}-${bareCount++}`, image: TEST_IMAGE, user: '1000:1000', mounts: [], cmd: FAST_STOP_CMD,
        sessionId: 'bench', userId: 'bench', imageId: 'bench', ...confinement,
      });
      return { ...o, Labels: { 'tether-bench': lab.runId }, HostConfig: { ...o.HostConfig, Mounts: binds } };
    };
    const bare = async (): Promise<{ ms: number; c: Dockerode.Container }> => {
      const t0 = performance.now();
      const c = await lab.docker.createContainer(bareOptions());
      await c.start();
      return { ms: performance.now() - t0, c };
    };
    const kill = (c: Dockerode.Container) => c.remove({ force: true });
    const killSession = async (id: string) => {
      const rec = await lab.store.sessions.get(id);
      if (rec?.container_id) await lab.docker.getContainer(rec.container_id).remove({ force: true }).catch(() => undefined);
      await lab.store.sessions.update(id, { state: 'destroyed', container_id: null });
    };

    // (a) latency, interleaved, after a short warm-up of both paths
    if (PARTS.includes('a')) await partA();
    async function partA(): Promise<void> {
    for (let i = 0; i < 3; i++) {
      await killSession((await tether()).id);
      await kill((await bare()).c);
    }
    const tTimes: number[] = [];
    const bTimes: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t = await tether();
      if (t.state !== 'running') throw new Error(`launch ${i} ended ${t.state}`);
      tTimes.push(t.ms);
      await killSession(t.id);
      const b = await bare();
      bTimes.push(b.ms);
      await kill(b.c);
    }
    const ratioA = median(tTimes) / median(bTimes);
    console.log(`(a) launch latency, 3 mappings, median of ${RUNS}: tether API->running ${fmt(median(tTimes))}, bare create+start ${fmt(median(bTimes))}, ratio ${ratioA.toFixed(2)}x (goal <= 1.25x)`);
    }

    // (b) 50 concurrent launches by 50 users
    if (PARTS.includes('b')) await partB();
    async function partB(): Promise<void> {
    const users = await Promise.all(Array.from({ length: CONCURRENT }, (_, i) => env.api.makeUser(`conc${i}-${lab.runId}`)));
    let t0 = performance.now();
    const all = await Promise.all(users.map((u) => tether(u.token)));
    const tWall = performance.now() - t0;
    const failures = all.filter((r) => r.state !== 'running');
    const failed = failures.length;
    for (const f of failures.slice(0, 3)) console.log(`    failed: ${JSON.stringify((await lab.store.sessions.get(f.id))?.error)}`);
    await Promise.all(all.map((r) => killSession(r.id)));
    t0 = performance.now();
    const bares = await Promise.all(Array.from({ length: CONCURRENT }, () => bare()));
    const bWall = performance.now() - t0;
    await Promise.all(bares.map((b) => kill(b.c)));
    console.log(`(b) ${CONCURRENT} concurrent launches by ${CONCURRENT} users: ${CONCURRENT - failed}/${CONCURRENT} running; tether ${(CONCURRENT / (tWall / 1000)).toFixed(1)} launches/s (${fmt(tWall)} wall), bare ${(CONCURRENT / (bWall / 1000)).toFixed(1)}/s (${fmt(bWall)}), ratio ${(tWall / bWall).toFixed(2)}x time`);
    }
    if (!PARTS.includes('c')) return;

    // (c) p95 of healthy launches without / with a required mapping hanging, interleaved in
    // blocks (the machine's background load drifts; alternating keeps the comparison fair)
    mkdirSync(`${nas.exportDir}/share`);
    const hungImage = await lab.image({ [`${nas.mountDir}/share`]: mapping('/nas', { timeout: 5 }) });
    const hangUsers = await Promise.all([0, 1].map((i) => env.api.makeUser(`hang${i}-${lab.runId}`)));
    const prepMs = async (id: string): Promise<number> => {
      let ms = 0;
      for await (const e of lab.manager.events(id)) if (e.type === 'mapping.checked') ms = Math.max(ms, Number(e.data.ms));
      return ms;
    };
    const calm: number[] = [];
    const stormy: number[] = [];
    const calmPrep: number[] = [];
    const stormyPrep: number[] = [];
    let hungLaunches = 0;
    const BLOCK = 10;
    for (let block = 0; block < P95_RUNS / BLOCK; block++) {
      for (const hang of [false, true]) {
        let stop = false;
        let hangers: Array<Promise<void>> = [];
        if (hang) {
          nas.hang();
          hangers = hangUsers.map(async (u) => {
            while (!stop) {
              const r = await tether(u.token, hungImage);
              if (r.state === 'failed') hungLaunches++;
              // one still in flight when the storage is resumed may succeed: fine
              else if (!stop) throw new Error(`hung launch ended ${r.state}`);
              else await killSession(r.id);
            }
          });
          await new Promise((r) => setTimeout(r, 300));
        }
        try {
          for (let i = 0; i < BLOCK; i++) {
            const t = await tether();
            if (t.state !== 'running') throw new Error(`healthy launch ended ${t.state}`);
            (hang ? stormy : calm).push(t.ms);
            (hang ? stormyPrep : calmPrep).push(await prepMs(t.id));
            await killSession(t.id);
          }
        } finally {
          stop = true;
          nas.resume();
        }
        await Promise.all(hangers);
      }
    }
    const p95c = quantile(calm, 0.95);
    const p95s = quantile(stormy, 0.95);
    console.log(`(c) p95 of ${calm.length} healthy launches: without hang ${fmt(p95c)}, with a required mapping hanging (${hungLaunches} hung launches failed as timeout meanwhile) ${fmt(p95s)}, ratio ${(p95s / p95c).toFixed(2)}x (goal <= 1.2x); medians ${fmt(median(calm))} vs ${fmt(median(stormy))}; host preparation median ${fmt(median(calmPrep))} vs ${fmt(median(stormyPrep))}`);
  } finally {
    nas.resume();
    await lab.docker.listContainers({ all: true, filters: { label: [`tether-bench=${lab.runId}`] } })
      .then((cs) => Promise.all(cs.map((c) => lab.docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined))));
    await env.cleanup();
    await nas.teardown();
  }
}

await main();
