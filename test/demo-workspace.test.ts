// The demo workspace image on the real engine, its CGI called directly (no Tether): lists the
// mounted folders, reads and writes files in them, and refuses every path outside them
// (`..`, odd characters, symlinks out, folders not mounted) without evaluating input.
// Also: `tether server --seed-demo`'s seeding is idempotent.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chown, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dockerClient, uniqueName } from './helpers/docker.js';
import { ensureDemoStack } from './proxy-lab.js';
import { eventually } from './helpers/sessions.js';
import { DEMO_DOCKER_IMAGE, seedDemo } from '../src/api/seed-demo.js';
import { openStore } from '../src/store/open-store.js';
import { DEFAULT_POLICY } from '../src/mappings/index.js';

const docker = dockerClient();

describe('demo workspace image (real engine)', { timeout: 60_000 }, () => {
  let dir = '';
  let id = '';
  let base = '';

  before(async () => {
    await ensureDemoStack();
    dir = await mkdtemp(join(tmpdir(), 'tether-demo-'));
    await chown(dir, 1000, 1000);
    await writeFile(join(dir, 'hello.txt'), 'hello from the host\n');
    await symlink('/etc', join(dir, 'etc-link'));
    const c = await docker.createContainer({ name: uniqueName('tether-demo-test'), Image: DEMO_DOCKER_IMAGE, User: '1000:1000', Labels: { 'tether-test': '1' }, HostConfig: { Binds: [`${dir}:/share`] } });
    id = c.id;
    await c.start();
    const info = await c.inspect();
    const ip = Object.values(info.NetworkSettings.Networks)[0]?.IPAddress;
    base = `http://${ip}:8080/cgi-bin/files`;
    await eventually(async () => fetch(`${base}?op=roots`).then((r) => r.ok, () => false), 10_000, 'the demo httpd');
  });

  after(async () => {
    if (id) await docker.getContainer(id).remove({ force: true }).catch(() => undefined);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const get = async (q: string) => {
    const r = await fetch(`${base}?${q}`);
    return { status: r.status, text: await r.text() };
  };

  it('lists the mounted folders, reads and writes files in them', async () => {
    assert.equal((await get('op=roots')).text, '/share\n');
    const list = await get('op=list&path=%2Fshare');
    assert.match(list.text, /^f\thello\.txt$/m);
    assert.match(list.text, /^d\tetc-link$/m);
    assert.equal((await get('op=read&path=%2Fshare%2Fhello.txt')).text, 'hello from the host\n');
    const w = await fetch(`${base}?op=write&path=${encodeURIComponent('/share/note.txt')}`, { method: 'POST', body: 'a note; $(touch /tmp/x) `id`\n' });
    assert.equal(w.status, 200, await w.text());
    assert.equal(await readFile(join(dir, 'note.txt'), 'utf8'), 'a note; $(touch /tmp/x) `id`\n', 'stored verbatim, never evaluated');
  });

  it('refuses paths outside the mounted folders and odd input', async () => {
    const cases: Array<[string, number]> = [
      ['op=read&path=%2Fshare%2F..%2Fetc%2Fpasswd', 400],
      ['op=read&path=%2Fetc%2Fpasswd', 403],
      ['op=read&path=%2Fshare%2Fetc-link%2Fpasswd', 403],
      ['op=list&path=%2Fshare%2Fetc-link', 403],
      ['op=read&path=share%2Fhello.txt', 400],
      ['op=read&path=%2Fshare%2F%24(id)', 400],
      ['op=read&path=%2Fshare%2Fa%0Ab', 400],
      ['op=read&path=%2Fshare%2F.%2Fhello.txt', 400],
      ['op=nope', 400],
    ];
    for (const [q, status] of cases) assert.equal((await get(q)).status, status, q);
    const out = await fetch(`${base}?op=write&path=${encodeURIComponent('/tmp/evil')}`, { method: 'POST', body: 'x' });
    assert.equal(out.status, 403);
    const viaLink = await fetch(`${base}?op=write&path=${encodeURIComponent('/share/etc-link/evil')}`, { method: 'POST', body: 'x' });
    assert.equal(viaLink.status, 403);
  });

  it('seeds the "demo" image once', async () => {
    const data = await mkdtemp(join(tmpdir(), 'tether-seed-'));
    const store = await openStore(join(data, 'tether.db'));
    try {
      const lines: string[] = [];
      const share = join(data, 'share');
      assert.equal(await seedDemo(store, DEFAULT_POLICY, (l) => lines.push(l), share), true);
      assert.equal(await seedDemo(store, DEFAULT_POLICY, (l) => lines.push(l), share), false);
      const image = await store.images.getByName('demo');
      assert.equal(image?.docker_image, DEMO_DOCKER_IMAGE);
      assert.equal(image?.web_port, 8080);
      assert.equal(image?.user, '1000:1000');
      assert.deepEqual(Object.keys(image?.volume_mappings ?? {}), [share]);
      assert.equal(lines.length, 1);
    } finally {
      await store.close();
      await rm(data, { recursive: true, force: true });
    }
  });
});
