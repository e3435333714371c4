// Session launch on the real three-node swarm lab (scripts/lab/swarm-lab.sh, agents deployed),
// each figure against its baseline in the same run:
//   (a) latency, API request -> running, of a session with 3 mappings on the shared storage,
//       through `tether server --runtime swarm` (placement, preparation and verification on the
//       chosen node through its agent), vs the bare engine doing the same work: `docker service
//       create` (the manager's API) of the same image with the same 3 bind mounts and a node
//       constraint, until its task is running; and vs the single-engine backend (`tether
//       server` on the machine's own engine, the same 3 mappings on local folders). Medians
//       over RUNS launches each, interleaved, nodes in turn. Goal: swarm <= 1.25x bare. Also
//       the bare service attached to the network Tether's sessions join, to show that cost.
//   (b) 100 concurrent launches by 100 users over the 3 nodes: all must be running; wall time
//       and spread over the nodes, vs 100 bare service creates at once.
// Where the time goes: the medians of each launch's phases from its own events (requested ->
// preparing: placement; preparing -> starting: host preparation on the node; then the service
// (container) create, until its task (container) runs, the mounts verified, until running).
// Run: node --import tsx bench/swarm.bench.ts   (BENCH_RUNS=10, BENCH_CONCURRENT=100, BENCH_PARTS=ab)
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type Dockerode from 'dockerode';
import { median } from './stats.js';
import { SWARM_SESSION_NETWORK } from '../src/runtime/swarm/session-network.js';
import { makeApi, type Api } from '../test/helpers/http-api.js';
import { readSse } from '../test/helpers/sessions.js';
import { TEST_IMAGE } from '../test/helpers/docker.js';
import { startSwarmLab, type SwarmLab } from '../test/helpers/swarm-lab.js';
import { freePort, login, startTetherServer, type ServerProcess } from '../test/helpers/tether-server.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const CONCURRENT = Number(process.env.BENCH_CONCURRENT ?? 100);
const PARTS = process.env.BENCH_PARTS ?? 'ab';
const ALL_USERS_GROUP_ID = '00000000-0000-4000-8000-000000000002';
const fmt = (ms: number) => `${ms.toFixed(0)} ms`;

interface Tether { server: ServerProcess; api: Api; token: string; url: string }
interface Launch { ms: number; id: string; state: string; node: string | null; error: unknown; phases: Record<string, number> }

async function tetherOn(dataDir: string, env: Record<string, string>): Promise<Tether> {
  const server = await startTetherServer({ port: await freePort(), dataDir, database: join(dataDir, 'tether.db'), env });
  const token = await login(server.url);
  return { server, token, api: makeApi(server.url, token), url: server.url };
}

async function must(api: Api, method: string, path: string, body?: unknown): Promise<{ json: { id?: string; image_id?: string } }> {
  const r = await api(method, path, body);
  if (r.status >= 300) throw new Error(`${method} ${path}: HTTP ${r.status} ${r.text}`);
  return r;
}

/** POST /sessions, then its event stream until the launch ends: the state, node and phases */
async function launch(t: Tether, image: string, user: string): Promise<Launch> {
  const t0 = performance.now();
  const r = await must(t.api, 'POST', '/sessions', { image, user });
  const id = r.json.id as string;
  const events = await readSse(`${t.url}/api/v1/sessions/${id}/events`, t.token, AbortSignal.timeout(180_000));
  const ms = performance.now() - t0;
  const at: Record<string, number> = {};
  for (const e of events) {
    const d = e.data as { type: string; at: string; data: { state?: string } };
    if (d.type === 'state' && d.data.state) at[d.data.state] = Date.parse(d.at);
    else if (at[d.type] === undefined) at[d.type] = Date.parse(d.at);
  }
  const span = (a: string, b: string) => (at[a] !== undefined && at[b] !== undefined ? (at[b] as number) - (at[a] as number) : NaN);
  const s = (await t.api('GET', `/sessions/${id}`)).json as { state: string; node: { hostname: string } | null; error: unknown };
  return {
    ms, id, state: s.state, node: s.node?.hostname ?? null, error: s.error,
    phases: {
      placement: span('requested', 'preparing'), preparation: span('preparing', 'starting'),
      'create (to task running)': span('starting', 'container.created'), 'to started': span('container.created', 'container.started'),
      'verify (to running)': span('container.started', 'running'),
    },
  };
}

function phaseLine(ls: Launch[]): string {
  const keys = Object.keys(ls[0]?.phases ?? {});
  return keys.map((k) => `${k} ${fmt(median(ls.map((l) => l.phases[k] as number).filter((x) => !Number.isNaN(x))))}`).join(', ');
}

async function main(): Promise<void> {
  const lab: SwarmLab = await startSwarmLab();
  const base = mkdtempSync('/tmp/tether-swarm-bench-');
  const run = `bench${process.pid}`;
  const shared = lab.env.SWARM_LAB_SHARED as string;
  const sharedRoot = join(shared, run);
  const localRoot = join('/srv', `tether-bench-${run}`);
  const bareServices: string[] = [];
  const tethers: Tether[] = [];
  try {
    for (const d of ['a', 'b', 'c']) {
      mkdirSync(join(sharedRoot, d), { recursive: true });
      mkdirSync(join(localRoot, d), { recursive: true });
    }
    const mappingsAt = (root: string) => ({
      [`${root}/a`]: { bind: '/a', uid: 1000, gid: 1000 }, [`${root}/b`]: { bind: '/b' }, [`${root}/c`]: { bind: '/c', mode: 'ro' },
    });
    const swarm = await tetherOn(join(base, 'swarm'), lab.env);
    tethers.push(swarm);
    const single = await tetherOn(join(base, 'single'), { TETHER_RUNTIME: 'docker', DOCKER_HOST: 'unix:///var/run/docker.sock' });
    tethers.push(single);
    for (const t of [swarm, single]) {
      await must(t.api, 'PATCH', `/groups/${ALL_USERS_GROUP_ID}`, { settings: { max_sessions_per_user: 1000 } });
      await must(t.api, 'POST', '/users', { username: 'bench', password: 'bench-password-1234' });
    }
    await must(swarm.api, 'POST', '/images', { name: 'bench', docker_image: lab.env.SWARM_LAB_IMAGE, user: '1000:1000', volume_mappings: mappingsAt(sharedRoot) });
    await must(single.api, 'POST', '/images', { name: 'bench', docker_image: TEST_IMAGE, user: '1000:1000', volume_mappings: mappingsAt(localRoot) });
    const destroy = (t: Tether, id: string) => t.api('DELETE', `/sessions/${id}`);

    // the bare engine's same work: a service with the same image, mounts and a node constraint
    let bareCount = 0;
    const bare = async (nodeId: string, network?: string): Promise<{ ms: number; svc: Dockerode.Service }> => {
      const t0 = performance.now();
      const svc = await lab.manager.createService({
        Name: `${run}-bare-${bareCount++}`, Labels: { 'tether-bench': run },
        TaskTemplate: {
          ContainerSpec: {
            Image: lab.env.SWARM_LAB_IMAGE, User: '1000:1000',
            Mounts: ['a', 'b', 'c'].map((d) => ({ Type: 'bind' as const, Source: join(sharedRoot, d), Target: `/${d}`, ReadOnly: d === 'c' })),
          },
          RestartPolicy: { Condition: 'none' },
          Placement: { Constraints: [`node.id==${nodeId}`] },
          ...(network ? { Networks: [{ Target: network }] } : {}),
        },
        Mode: { Replicated: { Replicas: 1 } },
      } as Dockerode.ServiceSpec) as unknown as Dockerode.Service;
      const id = (svc as unknown as { id: string }).id;
      bareServices.push(id);
      for (;;) {
        const tasks = (await lab.manager.listTasks({ filters: JSON.stringify({ service: [id] }) })) as Array<{ Status: { State: string; Err?: string } }>;
        const state = tasks[0]?.Status.State;
        if (state === 'running') break;
        if (state === 'rejected' || state === 'failed') throw new Error(`bare service ${id}: ${state}: ${tasks[0]?.Status.Err}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return { ms: performance.now() - t0, svc: lab.manager.getService(id) };
    };
    const removeBare = (svc: Dockerode.Service) => svc.remove().catch(() => undefined);

    if (PARTS.includes('a')) {
      // warm-up: every node has the image, every path has been through once
      for (let i = 0; i < 3; i++) {
        await destroy(swarm, (await launch(swarm, 'bench', 'bench')).id);
        await removeBare((await bare(lab.nodeIds[i] as string)).svc);
        await destroy(single, (await launch(single, 'bench', 'bench')).id);
      }
      const sw: Launch[] = [];
      const bs: number[] = [];
      const bn: number[] = [];
      const sg: Launch[] = [];
      for (let i = 0; i < RUNS; i++) {
        const s = await launch(swarm, 'bench', 'bench');
        if (s.state !== 'running') throw new Error(`swarm launch ${i} ended ${s.state}: ${JSON.stringify(s.error)}`);
        sw.push(s);
        void destroy(swarm, s.id);
        const b = await bare(lab.nodeIds[i % 3] as string);
        bs.push(b.ms);
        void removeBare(b.svc);
        // the same service on the network Tether's sessions join (it made it at the first launch)
        const n = await bare(lab.nodeIds[i % 3] as string, SWARM_SESSION_NETWORK);
        bn.push(n.ms);
        void removeBare(n.svc);
        const g = await launch(single, 'bench', 'bench');
        if (g.state !== 'running') throw new Error(`single-engine launch ${i} ended ${g.state}: ${JSON.stringify(g.error)}`);
        sg.push(g);
        void destroy(single, g.id);
      }
      const mSw = median(sw.map((l) => l.ms));
      const mB = median(bs);
      const mSg = median(sg.map((l) => l.ms));
      const mBn = median(bn);
      console.log(`(a) launch latency, 3 mappings, median of ${RUNS}: swarm (tether) ${fmt(mSw)}, bare service create->running ${fmt(mB)}, ratio ${(mSw / mB).toFixed(2)}x (goal <= 1.25x); single-engine tether ${fmt(mSg)} (swarm/single ${(mSw / mSg).toFixed(2)}x)`);
      console.log(`    bare service on the sessions' network (${SWARM_SESSION_NETWORK}) ${fmt(mBn)}: swarm/that ${(mSw / mBn).toFixed(2)}x (the network attachment alone: +${fmt(mBn - mB)})`);
      console.log(`    nodes used: ${[...new Set(sw.map((l) => l.node))].join(', ')}`);
      console.log(`    where the time goes (medians): swarm: ${phaseLine(sw)}; single engine: ${phaseLine(sg)}`);
    }

    if (PARTS.includes('b')) {
      const users = Array.from({ length: CONCURRENT }, (_, i) => `${run}-u${i}`);
      for (const u of users) await must(swarm.api, 'POST', '/users', { username: u, password: 'bench-password-1234' });
      let t0 = performance.now();
      const all = await Promise.all(users.map((u) => launch(swarm, 'bench', u)));
      const tWall = performance.now() - t0;
      const ok = all.filter((l) => l.state === 'running');
      const perNode = new Map<string, number>();
      for (const l of ok) perNode.set(l.node ?? '?', (perNode.get(l.node ?? '?') ?? 0) + 1);
      for (const f of all.filter((l) => l.state !== 'running').slice(0, 3)) {
        console.log(`    failed: ${JSON.stringify(f.error)}`);
      }
      await Promise.all(all.map((l) => destroy(swarm, l.id)));
      t0 = performance.now();
      const bares = await Promise.all(Array.from({ length: CONCURRENT }, (_, i) => bare(lab.nodeIds[i % 3] as string)));
      const bWall = performance.now() - t0;
      await Promise.all(bares.map((b) => removeBare(b.svc)));
      console.log(`(b) ${CONCURRENT} concurrent launches by ${CONCURRENT} users: ${ok.length}/${CONCURRENT} running (goal ${CONCURRENT}/${CONCURRENT}); tether ${fmt(tWall)} wall (${(CONCURRENT / (tWall / 1000)).toFixed(1)}/s), bare ${CONCURRENT} service creates ${fmt(bWall)} (${(CONCURRENT / (bWall / 1000)).toFixed(1)}/s), ratio ${(tWall / bWall).toFixed(2)}x time`);
      console.log(`    spread: ${[...perNode].map(([n, c]) => `${n} ${c}`).join(', ')}; per launch (medians): API->running ${fmt(median(all.map((l) => l.ms)))}, ${phaseLine(ok)}`);
    }
  } finally {
    await Promise.all(bareServices.map((id) => lab.manager.getService(id).remove().catch(() => undefined)));
    for (const t of tethers) {
      const list = (await t.api('GET', '/sessions').catch(() => ({ json: [] }))).json as Array<{ id: string }>;
      await Promise.all(list.map((s) => t.api('DELETE', `/sessions/${s.id}`).catch(() => undefined)));
    }
    // destroys finish in the background: give them the stop grace before the servers go
    await new Promise((r) => setTimeout(r, 12_000));
    for (const t of tethers) await t.server.kill('SIGTERM');
    rmSync(sharedRoot, { recursive: true, force: true });
    rmSync(localRoot, { recursive: true, force: true });
    rmSync(base, { recursive: true, force: true });
    await lab.down();
  }
}

await main();
