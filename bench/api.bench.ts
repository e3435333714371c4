// API throughput on loopback (autocannon), each against a bare Fastify route serving the same
// JSON in the same run:
//   1. authenticated GET /api/v1/images (a dozen images) — bearer token lookup + admin check
//      + store read + serialization;
//   2. GET /api/v1/effective-mounts for a user in 200 groups that each hold mappings.
// Prints the median requests/s (over 1 s samples), the baseline's, and the ratio.
// Run: node --import tsx bench/api.bench.ts   (BENCH_SECONDS=5 per run by default)
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import Fastify from 'fastify';
import { buildApp } from '../src/api/app.js';
import { generateTokenSecret } from '../src/auth/index.js';
import { openStore } from '../src/store/open-store.js';
import { ADMINISTRATORS_GROUP_ID, ALL_USERS_GROUP_ID, defaultGroupSettings } from '../src/store/system-groups.js';
import type { Store } from '../src/store/types.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = 10;

async function seed(store: Store): Promise<{ adminToken: string; userToken: string }> {
  const at = new Date().toISOString();
  const mk = async (username: string, admin: boolean) => {
    const user_id = randomUUID();
    await store.users.create({ user_id, username, password_hash: 'scrypt$2$8$1$x$x', disabled: false, created_at: at, updated_at: at });
    await store.groups.addMember(ALL_USERS_GROUP_ID, user_id);
    if (admin) await store.groups.addMember(ADMINISTRATORS_GROUP_ID, user_id);
    const { secret, digest } = generateTokenSecret();
    await store.tokens.create({ token_id: randomUUID(), user_id, kind: 'api', name: 'bench', digest, created_at: at, expires_at: null, revoked_at: null, last_used_at: null });
    return { user_id, secret };
  };
  const admin = await mk('admin', true);
  const user = await mk('bench-user', false);
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
  return { adminToken: admin.secret, userToken: user.secret };
}

async function measure(url: string, token?: string): Promise<{ median: number; errors: number }> {
  const result = await autocannon({ url, connections: CONNECTIONS, duration: SECONDS, headers: token ? { authorization: `Bearer ${token}` } : {} });
  const bad = result.non2xx + result.errors + result.timeouts;
  return { median: result.requests.p50, errors: bad };
}

const dir = await mkdtemp(join(tmpdir(), 'tether-bench-'));
const store = await openStore(join(dir, 'tether.db'));
try {
  const { adminToken, userToken } = await seed(store);
  const app = await buildApp({ store, policy: { extraDenied: [dir], allowedRoots: [] }, logger: false });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });

  const imagesUrl = `${base}/api/v1/images`;
  const mountsUrl = `${base}/api/v1/effective-mounts?image=image-0`;
  const imagesBody = await (await fetch(imagesUrl, { headers: { authorization: `Bearer ${adminToken}` } })).text();
  const mountsBody = await (await fetch(mountsUrl, { headers: { authorization: `Bearer ${userToken}` } })).text();
  const view = JSON.parse(mountsBody) as { mounts: unknown[]; shadowed: unknown[] };

  // The baseline: bare Fastify answering the same bytes, no auth, no store.
  const bare = Fastify({ logger: false });
  bare.get('/images', async (_req, reply) => reply.type('application/json').send(imagesBody));
  bare.get('/mounts', async (_req, reply) => reply.type('application/json').send(mountsBody));
  const bareBase = await bare.listen({ host: '127.0.0.1', port: 0 });

  console.log(`store: sqlite; ${CONNECTIONS} connections; ${SECONDS} s per run; median of 1 s samples`);
  console.log(`payloads: images ${imagesBody.length} B (12 images); effective-mounts ${mountsBody.length} B (200 groups: ${view.mounts.length} mounts, ${view.shadowed.length} shadowed)`);
  const rows: Array<[string, string, string | undefined, string]> = [
    ['GET /api/v1/images (authenticated)', imagesUrl, adminToken, `${bareBase}/images`],
    ['GET /api/v1/effective-mounts (200 groups)', mountsUrl, userToken, `${bareBase}/mounts`],
  ];
  for (const [label, url, token, bareUrl] of rows) {
    const tether = await measure(url, token);
    const baseline = await measure(bareUrl);
    const ratio = tether.median / baseline.median;
    console.log(`${label}: ${tether.median.toFixed(0)} req/s; bare Fastify same payload: ${baseline.median.toFixed(0)} req/s; ratio ${ratio.toFixed(3)}` +
      (tether.errors + baseline.errors > 0 ? `  (non-2xx/errors: ${tether.errors}/${baseline.errors})` : ''));
  }
  await bare.close();
  await app.close();
} finally {
  await store.close();
  await rm(dir, { recursive: true, force: true });
}
