// The save-time layer of the host-path policy through the API: the holes a hostile or careless
// mapping used (homes and their dot-folders, /tmp itself, the X11 socket folder, /opt, /var/log,
// Tether's own code, data and database wherever they live, binds onto the container's /etc),
// numeric settings without bounds, and two documents giving one folder different owners.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig, TETHER_CODE_ROOT } from '../src/config.js';
import { startServer } from '../src/server.js';
import { dumpStore, makeTestApp, type TestApp } from './helpers/app.js';

describe('host-path policy at save time (API)', () => {
  let t: TestApp;
  before(async () => { t = await makeTestApp('sqlite'); });
  after(async () => { await t?.cleanup(); });

  const saveImage = (name: string, volume_mappings: unknown) =>
    t.call(t.adminToken, { method: 'POST', url: '/api/v1/images', payload: { name, docker_image: 'x:1', volume_mappings } });

  it('refuses homes, their dot-folders, /tmp itself, the X11 socket folder, /opt, /var/log; each says why and where to go instead', async () => {
    const before = await dumpStore(t.store);
    const cases: Array<[string, RegExp]> = [
      ['/home', /every user's home folder/],
      ['/home/alice', /is the home folder "\/home\/alice"/],
      ['/home/alice/.ssh', /dot-folder "\/home\/alice\/.ssh" of a home folder/],
      ['/home/{username}', /fixed prefix.*every user's home folder/],
      ['/opt', /protected path "\/opt"/],
      ['/tmp', /shared temporary folder itself/],
      ['/var/tmp', /shared temporary folder itself/],
      ['/tmp/.X11-unix', /protected path "\/tmp\/.X11-unix"/],
      ['/var/log', /protected path "\/var\/log"/],
    ];
    for (const [path, why] of cases) {
      const res = await saveImage('evil', { [path]: { bind: '/x' } });
      assert.equal(res.statusCode, 400, `${path}: ${res.body}`);
      const [v] = res.json().validations;
      assert.equal(v.field, `volume_mappings.${JSON.stringify(path)}`);
      assert.match(v.detail, why, path);
      assert.match(v.detail, /use a dedicated folder, e\.g\. "\/(srv|mnt)\//, path);
    }
    assert.deepEqual(await dumpStore(t.store), before, 'nothing was stored');
  });

  it('still accepts Kasm\'s example paths and dedicated folders', async () => {
    const res = await saveImage('kasm', {
      '/var/kasm_user_share': { bind: '/share', uid: 1000, gid: 1000 }, '/mnt/profiles/{username}': { bind: '/profile' },
      '/srv/shares/team': { bind: '/team' }, '/tmp/build-cache': { bind: '/cache' }, '/home/alice/projects': { bind: '/projects' },
    });
    assert.equal(res.statusCode, 201, res.body);
  });

  it('refuses binds onto the container\'s /proc, /sys, /dev, /etc, naming the key', async () => {
    for (const bind of ['/etc', '/etc/cron.d', '/proc/sys', '/sys', '/dev/shm']) {
      const res = await saveImage('binds', { '/srv/x': { bind } });
      assert.equal(res.statusCode, 400, `${bind}: ${res.body}`);
      assert.deepEqual(res.json().validations.map((v: { field: string }) => v.field), ['volume_mappings."/srv/x".bind']);
      assert.match(res.json().validations[0].detail, /is refused: it would cover/);
    }
    const group = await t.call(t.adminToken, { method: 'POST', url: '/api/v1/groups', payload: { name: 'g-binds', priority: 40, settings: { volume_mappings: { '/srv/g': { bind: '/etc/ssh' } } } } });
    assert.equal(group.statusCode, 400);
    assert.equal(group.json().validations[0].field, 'settings.volume_mappings."/srv/g".bind');
  });

  it('bounds numeric settings: session_time_limit of 2^53 is refused at save, with what the number counts', async () => {
    const cases: Array<[Record<string, unknown>, string, RegExp]> = [
      [{ session_time_limit: 2 ** 53 }, 'settings.session_time_limit', /must be <= 31536000; expected seconds, 1 to 31536000 \(one year\)/],
      [{ session_time_limit: 31_536_001 }, 'settings.session_time_limit', /must be <= 31536000/],
      [{ max_sessions_per_user: 1001 }, 'settings.max_sessions_per_user', /must be <= 1000; expected sessions at once per user/],
      [{ volume_mappings: { '/srv/t': { bind: '/t', timeout: 601 } } }, 'settings.volume_mappings."/srv/t".timeout', /at most 600/],
    ];
    for (const [settings, field, message] of cases) {
      const res = await t.call(t.adminToken, { method: 'PATCH', url: '/api/v1/groups/All Users', payload: { settings } });
      assert.equal(res.statusCode, 400, res.body);
      const v = res.json().validations.find((x: { field: string }) => x.field === field);
      assert.match(v?.detail ?? '', message, res.body);
    }
    const year = await t.call(t.adminToken, { method: 'PATCH', url: '/api/v1/groups/All Users', payload: { settings: { session_time_limit: 31_536_000 } } });
    assert.equal(year.statusCode, 200, year.body);
    const image = await t.call(t.adminToken, { method: 'POST', url: '/api/v1/images', payload: { name: 'huge', docker_image: 'x:1', cores: 2 ** 53, memory: 2 ** 53 } });
    assert.equal(image.statusCode, 400);
    assert.deepEqual(image.json().validations.map((v: { field: string }) => v.field).sort(), ['cores', 'memory']);
  });
});

describe('one folder, two owners (API)', () => {
  let t: TestApp;
  before(async () => { t = await makeTestApp('sqlite'); });
  after(async () => { await t?.cleanup(); });

  it('saving a document that gives a shared host path another uid/gid warns, naming the other document; the view shows the conflict', async () => {
    const a = await t.call(t.adminToken, { method: 'POST', url: '/api/v1/groups', payload: { name: 'team-a', priority: 10, settings: { volume_mappings: { '/srv/shared': { bind: '/a', uid: 1000, gid: 1000 } } } } });
    assert.equal(a.statusCode, 201, a.body);
    assert.equal(a.json().warnings, undefined, 'nothing to warn about yet');
    const b = await t.call(t.adminToken, { method: 'POST', url: '/api/v1/groups', payload: { name: 'team-b', priority: 20, settings: { volume_mappings: { '/srv/shared/': { bind: '/b', uid: 2000, gid: 1000 } } } } });
    assert.equal(b.statusCode, 201, b.body);
    assert.deepEqual(b.json().warnings, [
      'host path "/srv/shared" has uid:gid 2000:1000 here but 1000:1000 in group "team-a" (priority 10): sessions of each apply their own, so the folder\'s owner changes from launch to launch; give both the same uid/gid, or use separate folders',
    ]);
    const image = await t.call(t.adminToken, { method: 'POST', url: '/api/v1/images', payload: { name: 'desk', docker_image: 'x:1', volume_mappings: { '/srv/shared': { bind: '/img', gid: 3000 } } } });
    assert.equal(image.statusCode, 201);
    assert.equal(image.json().warnings.length, 2, image.body);
    assert.match(image.json().warnings.join('\n'), /-:3000 here but 1000:1000 in group "team-a"[\s\S]*-:3000 here but 2000:1000 in group "team-b"/);
    // Unrelated changes of the group do not repeat the warning; the same owner everywhere clears it.
    const renamed = await t.call(t.adminToken, { method: 'PATCH', url: '/api/v1/groups/team-b', payload: { priority: 21 } });
    assert.equal(renamed.json().warnings, undefined);
    const fixed = await t.call(t.adminToken, { method: 'PATCH', url: '/api/v1/images/desk', payload: { volume_mappings: { '/srv/shared': { bind: '/img' } } } });
    assert.equal(fixed.json().warnings, undefined, fixed.body);

    // A user in both groups: the effective-mounts view reports the cross-document conflict.
    const { user } = await t.makeUser('both');
    for (const g of ['team-a', 'team-b']) assert.equal((await t.call(t.adminToken, { method: 'POST', url: `/api/v1/groups/${g}/members`, payload: { user: user.user_id } })).statusCode < 300, true);
    const view = (await t.call(t.adminToken, { method: 'GET', url: '/api/v1/effective-mounts?image=desk&user=both' })).json();
    assert.equal(view.conflicts.length, 1, JSON.stringify(view));
    assert.equal(view.conflicts[0].host_path, '/srv/shared');
    assert.deepEqual(view.conflicts[0].mounts.map((m: { source: { name: string } }) => m.source.name), ['desk', 'team-a', 'team-b']);
    assert.deepEqual(view.conflicts[0].applied, { uid: null, gid: null, source: { kind: 'image', name: 'desk', priority: null } });
  });
});

describe('Tether\'s own files are refused wherever they live (the real server builds the policy)', () => {
  it('its code, its data folder under its real name, and a database file kept elsewhere', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tether-own-'));
    const realData = join(dir, 'real-data');
    await mkdir(realData);
    await symlink(realData, join(dir, 'data-link'));
    await mkdir(join(dir, 'db'));
    const config = loadConfig({ dataDir: join(dir, 'data-link'), database: join(dir, 'db', 'tether.db'), listen: '127.0.0.1:0' }, { TETHER_ADMIN_PASSWORD: 'own-paths-password' });
    const server = await startServer(config, { print: () => {}, logger: pino({ level: 'silent' }), handleSignals: false, scryptN: 2 ** 10 });
    try {
      const login = await fetch(`${server.url}/api/v1/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'own-paths-password' }) });
      const token = (await login.json()).token as string;
      const save = (host: string) => fetch(`${server.url}/api/v1/images`, {
        method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ name: `i-${Math.random().toString(36).slice(2)}`, docker_image: 'x:1', volume_mappings: { [host]: { bind: '/x' } } }),
      });
      for (const host of [join(TETHER_CODE_ROOT, 'dist'), TETHER_CODE_ROOT, realData, join(dir, 'data-link'), join(dir, 'db'), join(dir, 'db', 'tether.db')]) {
        const res = await save(host);
        assert.equal(res.status, 400, `${host}: ${await res.clone().text()}`);
        assert.match(JSON.stringify(await res.json()), /protected path/, host);
      }
      assert.equal((await save(join(dir, 'shares'))).status, 201, 'a folder beside them is fine');
    } finally {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
