// The real `tether server` process with the real engine: the session CLI end to end, then
// SIGKILL in the middle of launches and a restart: no orphan container, no session left in a
// transient state, host data intact.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../src/store/open-store.js';
import { apiCall } from './helpers/http-api.js';
import { dockerClient, ensureDocker, removeLabelled, TEST_IMAGE } from './helpers/docker.js';
import { freePort, login, startTetherServer, type ServerProcess } from './helpers/tether-server.js';
import { runTether } from './helpers/cli.js';
import { eventually } from './helpers/sessions.js';

const docker = dockerClient();

describe('tether server process: session CLI, SIGKILL mid-launch, restart (real engine)', () => {
  const run = randomUUID().slice(0, 8);
  const folder = `/srv/tether-server-${run}`;
  let dataDir: string;
  let database: string;
  let port: number;
  let server: ServerProcess | undefined;
  let token: string;

  const api = (method: string, path: string, body?: unknown) => apiCall(server!.url, token, method, path, body);

  before(async () => {
    await ensureDocker();
    dataDir = await mkdtemp(join(tmpdir(), 'tether-server-test-'));
    database = join(dataDir, 'tether.db');
    port = await freePort();
    mkdirSync(folder, { recursive: true });
    for (const d of ['a', 'b', 'c']) mkdirSync(`${folder}/${d}`);
    await writeFile(`${folder}/a/precious.txt`, 'host data');
    server = await startTetherServer({ port, dataDir, database });
    token = await login(server.url);
    const mappings = { [`${folder}/a`]: { bind: '/a', uid: 1000, gid: 1000 }, [`${folder}/b`]: { bind: '/b' }, [`${folder}/c`]: { bind: '/c', mode: 'ro' } };
    assert.equal((await api('POST', '/api/v1/images', { name: `three-${run}`, docker_image: TEST_IMAGE, volume_mappings: mappings, user: '1000:1000' })).status, 201);
    assert.equal((await api('POST', '/api/v1/images', { name: `broken-${run}`, docker_image: TEST_IMAGE, volume_mappings: { [`/srv/tether-nope-${run}/{username}`]: { bind: '/x' } } })).status, 201);
    for (const u of ['u1', 'u2']) assert.equal((await api('POST', '/api/v1/users', { username: `${u}-${run}`, password: 'password-12345678' })).status, 201);
  });

  after(async () => {
    await server?.kill('SIGKILL');
    const store = await openStore(database).catch(() => undefined);
    for (const s of (await store?.sessions.list()) ?? []) await removeLabelled(docker, `tether.session=${s.session_id}`);
    // also this instance's containers no session owns (the planted orphan, if a test failed before reconcile removed it)
    const instance = await store?.instanceId().catch(() => undefined);
    if (instance) await removeLabelled(docker, `tether.instance=${instance}`);
    await store?.close();
    await rm(dataDir, { recursive: true, force: true });
    await rm(folder, { recursive: true, force: true });
  });

  it('tether session launch/list/show/destroy', async () => {
    const env = { TETHER_URL: server?.url as string, TETHER_TOKEN: token };
    const ok = await runTether(['session', 'launch', '--image', `three-${run}`, '--json'], { env, timeoutMs: 120_000 });
    assert.equal(ok.code, 0, ok.stderr);
    const s = JSON.parse(ok.stdout) as { id: string; state: string; mounts: { mounts: unknown[] } };
    assert.equal(s.state, 'running');
    assert.equal(s.mounts.mounts.length, 3);
    assert.match(ok.stderr, /state: preparing/);
    assert.match(ok.stderr, /container started/);
    const bad = await runTether(['session', 'launch', '--image', `broken-${run}`, '--json'], { env, timeoutMs: 120_000 });
    assert.equal(bad.code, 1, bad.stderr);
    const f = JSON.parse(bad.stdout) as { id: string; state: string; error: { class: string } };
    assert.equal(f.state, 'failed');
    assert.equal(f.error.class, 'missing');
    assert.match(bad.stderr, /FAILED missing/);
    // destroying a session that already ended is accepted (202, unchanged): exit 0, said so
    const endedFailed = await runTether(['session', 'destroy', f.id], { env, timeoutMs: 120_000 });
    assert.equal(endedFailed.code, 0, endedFailed.stderr);
    assert.match(endedFailed.stderr, /already ended \(failed\)/);
    assert.match(endedFailed.stdout, /state:\s+failed/);
    const list = await runTether(['session', 'list'], { env, timeoutMs: 120_000 });
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, new RegExp(s.id));
    const show = await runTether(['session', 'show', s.id], { env, timeoutMs: 120_000 });
    assert.match(show.stdout, /state:\s+running/);
    const gone = await runTether(['session', 'destroy', s.id, '--json'], { env, timeoutMs: 120_000 });
    assert.equal(gone.code, 0, gone.stderr);
    assert.equal((JSON.parse(gone.stdout) as { state: string }).state, 'destroyed');
    const again = await runTether(['session', 'destroy', s.id, '--json'], { env, timeoutMs: 120_000 });
    assert.equal(again.code, 0, again.stderr);
    assert.equal((JSON.parse(again.stdout) as { state: string }).state, 'destroyed');
  });

  it('SIGKILL in the middle of launches, restart: no orphan, nothing transient, data intact', async () => {
    const launches = await Promise.all(Array.from({ length: 8 }, (_, i) =>
      api('POST', '/api/v1/sessions', { image: `three-${run}`, user: `u${(i % 2) + 1}-${run}` })));
    for (const l of launches) assert.equal(l.status, 201, JSON.stringify(l.json));
    // Kill as soon as the first one runs: the others are somewhere in between.
    const first = await eventually(async () => (await api('GET', '/api/v1/sessions?state=running')).json[0] as { container_id: string } | undefined, 30_000, 'a running session');
    // this server's instance id, from the label on its containers
    const instance = (await docker.getContainer(first.container_id).inspect()).Config.Labels['tether.instance'];
    assert.match(instance ?? '', /^[0-9a-f-]{36}$/, 'session containers carry tether.instance');
    // A container of THIS instance for a session (and user) the store never heard of.
    const planted = await docker.createContainer({ Image: TEST_IMAGE, Labels: { tether: '1', 'tether.session': randomUUID(), 'tether.user': randomUUID(), 'tether.image': randomUUID(), 'tether.instance': instance as string } });
    const before = (await api('GET', '/api/v1/sessions')).json.map((s: { state: string }) => s.state);
    await server?.kill('SIGKILL');
    const t0 = Date.now();
    server = await startTetherServer({ port, dataDir, database });
    token = await login(server.url);
    console.log(`states at the kill: ${before.join(',')}; restart + reconcile ${Date.now() - t0} ms`);
    const sessions = (await api('GET', '/api/v1/sessions')).json as Array<{ id: string; state: string; container_id: string | null; error: { class: string } | null }>;
    const transient = sessions.filter((s) => ['requested', 'preparing', 'starting', 'stopping'].includes(s.state));
    assert.deepEqual(transient, [], `states before the kill: ${before.join(',')}`);
    for (const s of sessions.filter((x) => x.state === 'failed' && launches.some((l) => l.json.id === x.id))) {
      assert.equal(s.error?.class, 'interrupted');
    }
    const running = new Set(sessions.filter((s) => s.state === 'running').map((s) => s.id));
    // this server's containers (other Tether instances may share the engine: their instance id differs)
    const containers = await docker.listContainers({ all: true, filters: { label: [`tether.instance=${instance}`] } });
    for (const c of containers) {
      assert.ok(running.has(c.Labels['tether.session'] as string), `orphan container ${c.Id} (session ${c.Labels['tether.session']}) after restart`);
      assert.equal(c.State, 'running');
    }
    await assert.rejects(docker.getContainer(planted.id).inspect(), /no such container/i, 'the planted orphan was removed');
    for (const id of running) assert.ok(containers.some((c) => c.Labels['tether.session'] === id), `running session ${id} has its container`);
    assert.equal(await readFile(`${folder}/a/precious.txt`, 'utf8'), 'host data');
    // Clean up through the API: destroy never touches host data either.
    for (const id of running) assert.equal((await api('DELETE', `/api/v1/sessions/${id}`)).status, 202);
    await eventually(async () => (await api('GET', '/api/v1/sessions?state=running')).json.length === 0 && (await api('GET', '/api/v1/sessions?state=stopping')).json.length === 0, 60_000, 'all destroyed');
    assert.equal(await readFile(`${folder}/a/precious.txt`, 'utf8'), 'host data');
  });
});
