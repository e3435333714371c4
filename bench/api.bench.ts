// API cost, each route against a bare Fastify route serving the same JSON bytes (no auth, no
// store) in the same run:
//   1. authenticated GET /api/v1/images (a dozen images) — bearer token lookup + admin check
//      + store read + serialization;
//   2. GET /api/v1/effective-mounts for a user in 200 groups that each hold mappings.
// Two measurements, both interleaved (Tether, bare, Tether, bare, ...) so that the load other
// processes put on a shared machine hits both sides alike:
//   - in process (app.inject, no sockets): median µs per request, and the ratio to bare;
//   - on loopback with autocannon (its own worker thread): ROUNDS short rounds per target;
//     the medians of req/s, and the median of the per-round ratios Tether/bare.
// Run: node --import tsx bench/api.bench.ts   (BENCH_ROUNDS=5, BENCH_SECONDS=1.25 per round; about a minute)
import { randomUUID } from 'node:crypto';
import { availableParallelism, loadavg } from 'node:os';
import autocannon from 'autocannon';
import Fastify, { type FastifyInstance } from 'fastify';
import { defaultGroupSettings } from '../src/store/system-groups.js';
import { makeTestApp, type TestApp } from '../test/helpers/app.js';
import { median } from './stats.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 1.25);
const CONNECTIONS = 10;
const INJECT_ROUNDS = 5;

/** Beside the test app's administrator (with an API token): a user in 200 groups, and 12 images. */
async function seed(t: TestApp): Promise<{ adminToken: string; userToken: string }> {
  const { store } = t;
  const at = new Date().toISOString();
  const { user, token: userToken } = await t.makeUser('bench-user');
  for (let i = 0; i < 12; i++) {
    await store.images.create({
      image_id: randomUUID(), name: `image-${i}`, friendly_name: `Image ${i}`, docker_image: `kasmweb/image-${i}:1.16.0`,
      volume_mappings: { [`/srv/images/${i}/{username}`]: { bind: '/data', mode: 'rw', uid: 1000, gid: 1000, required: true, timeout: 10, skip_check: false } },
      persistent_profile_path: '/srv/profiles/{username}', user: '1000:1000', cores: 2, memory: 2 ** 31, enabled: true, groups: [],
      web_port: null, registry_auth_encrypted: null, created_at: at, updated_at: at,
    });
  }
  for (let g = 0; g < 200; g++) {
    const group_id = randomUUID();
    const settings = defaultGroupSettings();
    settings.volume_mappings = {
      [`/srv/groups/${g}/{username}`]: { bind: `/groups/${g}`, mode: 'rw', uid: 1000, gid: 1000, required: false, timeout: 10, skip_check: false },
      [`/srv/shared/${g}`]: { bind: '/shared', mode: 'ro', required: true, timeout: 10, skip_check: false },
    };
    await store.groups.create({ group_id, name: `group-${g}`, priority: 10 + g, system: false, settings, created_at: at, updated_at: at });
    await store.groups.addMember(group_id, user.user_id);
  }
  return { adminToken: t.adminToken, userToken };
}

interface Target {
  app: FastifyInstance;
  url: string;
  headers: Record<string, string>;
}

/** µs per request for each target, rounds interleaved; every answer must be a 200. */
async function injectMicros(targets: Target[], perRound: number): Promise<number[][]> {
  const samples: number[][] = targets.map(() => []);
  const once = async (t: Target) => {
    const res = await t.app.inject({ url: t.url, headers: t.headers });
    if (res.statusCode !== 200) throw new Error(`bench: GET ${t.url} answered ${res.statusCode} ${res.body.slice(0, 200)}; expected 200`);
  };
  for (const t of targets) for (let i = 0; i < Math.min(200, perRound); i++) await once(t); // warm-up (JIT, caches)
  for (let r = 0; r < INJECT_ROUNDS; r++) {
    for (const [k, t] of targets.entries()) {
      for (let i = 0; i < perRound; i++) {
        const start = process.hrtime.bigint();
        await once(t);
        samples[k]?.push(Number(process.hrtime.bigint() - start) / 1000);
      }
    }
  }
  return samples;
}

/** Requests per second over one short autocannon run, the load generated from a worker thread. */
async function loadRound(url: string, headers: Record<string, string>): Promise<{ rps: number; bad: number }> {
  const result = await autocannon({ url, connections: CONNECTIONS, duration: SECONDS, headers, workers: 1 });
  return { rps: result.requests.total / (result.duration || SECONDS), bad: result.non2xx + result.errors + result.timeouts };
}

interface Row {
  label: string;
  tether: Target;
  bare: Target;
  baseUrl: string;
  bareBaseUrl: string;
  perRound: number;
}

// The tests' app over a fresh SQLite file (no logger), seeded directly in the store.
const t = await makeTestApp('sqlite');
try {
  const { adminToken, userToken } = await seed(t);
  const app = t.app;
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  const admin = { authorization: `Bearer ${adminToken}` };
  const user = { authorization: `Bearer ${userToken}` };
  const imagesPath = '/api/v1/images';
  const mountsPath = '/api/v1/effective-mounts?image=image-0';
  const imagesBody = (await app.inject({ url: imagesPath, headers: admin })).body;
  const mountsBody = (await app.inject({ url: mountsPath, headers: user })).body;
  const view = JSON.parse(mountsBody) as { mounts: unknown[]; shadowed: unknown[] };

  // The baseline: bare Fastify answering the same bytes, no auth, no store.
  const bare = Fastify({ logger: false });
  bare.get('/images', async (_req, reply) => reply.type('application/json').send(imagesBody));
  bare.get('/mounts', async (_req, reply) => reply.type('application/json').send(mountsBody));
  const bareBase = await bare.listen({ host: '127.0.0.1', port: 0 });

  const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');
  console.log(`store: sqlite; load average at start: ${load()}`);
  console.log(`payloads: images ${imagesBody.length} B (12 images); effective-mounts ${mountsBody.length} B (200 groups: ${view.mounts.length} mounts, ${view.shadowed.length} shadowed)`);
  const rows: Row[] = [
    { label: 'GET /api/v1/images (authenticated)', tether: { app, url: imagesPath, headers: admin }, bare: { app: bare, url: '/images', headers: {} }, baseUrl: base, bareBaseUrl: bareBase, perRound: 300 },
    { label: 'GET /api/v1/effective-mounts (200 groups)', tether: { app, url: mountsPath, headers: user }, bare: { app: bare, url: '/mounts', headers: {} }, baseUrl: base, bareBaseUrl: bareBase, perRound: 50 },
  ];

  console.log(`\nin process (app.inject), ${INJECT_ROUNDS} interleaved rounds; median µs per request:`);
  for (const row of rows) {
    const [tether = [], baseline = []] = await injectMicros([row.tether, row.bare], row.perRound);
    const t = median(tether);
    const b = median(baseline);
    console.log(`  ${row.label}: ${t.toFixed(0)} µs; bare Fastify same payload: ${b.toFixed(0)} µs; ratio ${(t / b).toFixed(2)}x the bare cost (n=${tether.length} each)`);
  }

  console.log(`\nloopback (autocannon, ${CONNECTIONS} connections, worker thread), ${ROUNDS} interleaved rounds of ${SECONDS} s per target:`);
  for (const row of rows) {
    const tether: number[] = [];
    const baseline: number[] = [];
    const ratios: number[] = [];
    let bad = 0;
    for (let r = 0; r < ROUNDS; r++) {
      // Alternate who goes first, so a load spike at a round's start does not always hit the same side.
      const order = r % 2 === 0 ? ['tether', 'bare'] : ['bare', 'tether'];
      const got: Record<string, number> = {};
      for (const side of order) {
        const target = side === 'tether' ? row.tether : row.bare;
        const res = await loadRound(`${side === 'tether' ? row.baseUrl : row.bareBaseUrl}${target.url}`, target.headers);
        got[side] = res.rps;
        bad += res.bad;
      }
      tether.push(got.tether ?? 0);
      baseline.push(got.bare ?? 0);
      ratios.push((got.tether ?? 0) / (got.bare ?? 1));
    }
    const t = median(tether);
    const b = median(baseline);
    console.log(`  ${row.label}: ${t.toFixed(0)} req/s; bare Fastify same payload: ${b.toFixed(0)} req/s; ` +
      `median of per-round ratios ${median(ratios).toFixed(3)} (range ${Math.min(...ratios).toFixed(3)}–${Math.max(...ratios).toFixed(3)})` +
      (bad > 0 ? `  (non-2xx/errors/timeouts: ${bad})` : ''));
    console.log(`    rounds req/s tether: ${tether.map((x) => x.toFixed(0)).join(' ')}; bare: ${baseline.map((x) => x.toFixed(0)).join(' ')}`);
  }
  console.log(`\nload average at end: ${load()}`);
  const busiest = Math.max(...loadavg());
  if (busiest > availableParallelism()) {
    // The server and autocannon's thread then wait for CPU time; req/s measures the neighbours.
    console.log(`WARNING: load ${busiest.toFixed(1)} on ${availableParallelism()} cores: other processes set the loopback figures; trust the in-process µs and ratios.`);
  }
  await bare.close();
} finally {
  await t.cleanup();
}
