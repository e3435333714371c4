// Launch on the real Docker Engine with real host folders: the Kasm seed example end to end,
// ro really read-only, per-user folders from tokens, a missing fixed prefix, and drift.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { execIn } from './helpers/docker.js';
import { startRegistry } from './helpers/registry.js';
import { ADMIN_ACTOR, mapping, sessionLab, type SessionLab } from './helpers/sessions.js';

describe('session launch (real engine, SQLite store)', () => {
  let lab: SessionLab;
  before(async () => {
    lab = await sessionLab();
  });
  after(async () => {
    await lab?.cleanup();
  });

  /** The seed example: admin creates the folder as root; image maps it rw with uid/gid 1000. */
  async function seedExample(folder: string): Promise<void> {
    await lab.folder(folder);
    const before = await stat(folder);
    assert.equal(before.uid, 0, 'the administrator created the folder as root');
    const user = await lab.user();
    const writer = await lab.image({ [folder]: mapping('/share', { uid: 1000, gid: 1000 }) });
    const s1 = await lab.launch(user, writer);
    assert.equal(s1.state, 'running', `launch failed: ${JSON.stringify(s1.error)}`);
    const owned = await stat(folder);
    assert.deepEqual([owned.uid, owned.gid], [1000, 1000], 'at launch the folder becomes 1000:1000');
    assert.deepEqual(s1.mounts?.mounts.map((m) => [m.host_path, m.bind, m.mode]), [[folder, '/share', 'rw']]);
    const id = await execIn(lab.docker, s1.container_id as string, ['id', '-u']);
    assert.equal(id.output.trim(), '1000', 'the container runs as 1000');
    const w = await execIn(lab.docker, s1.container_id as string, ['sh', '-c', 'echo from-session-1 > /share/note.txt']);
    assert.equal(w.code, 0, w.output);
    const destroyed = await lab.manager.destroy(s1.session_id, ADMIN_ACTOR);
    assert.equal(destroyed.state, 'destroyed');
    assert.equal((await lab.containersOf(s1.session_id)).length, 0, 'destroy removes the container');
    assert.equal(await readFile(`${folder}/note.txt`, 'utf8'), 'from-session-1\n', 'destroy never touches host data');
    // Another image mapping the same folder (somewhere else, read-only) sees the file.
    const reader = await lab.image({ [folder]: mapping('/data', { mode: 'ro' }) });
    const s2 = await lab.launch(user, reader);
    assert.equal(s2.state, 'running', JSON.stringify(s2.error));
    const r = await execIn(lab.docker, s2.container_id as string, ['cat', '/data/note.txt']);
    assert.equal(r.output, 'from-session-1\n');
    await lab.manager.destroy(s2.session_id, ADMIN_ACTOR);
  }

  it('the Kasm seed example at a unique folder under /var', async () => {
    await seedExample(`/var/tether-test-share-${lab.runId}`);
  });

  it('the Kasm seed example at the literal /var/kasm_user_share (restored afterwards)', async () => {
    const literal = '/var/kasm_user_share';
    const saved = `/var/kasm_user_share.tether-test-saved-${lab.runId}`;
    const preexisting = existsSync(literal);
    if (preexisting) await rename(literal, saved);
    try {
      await seedExample(literal);
    } finally {
      await rm(literal, { recursive: true, force: true });
      if (preexisting) await rename(saved, literal);
    }
  });

  it('ro refuses writes inside the container', async () => {
    const folder = await lab.folder(`/tmp/tether-ro-${lab.runId}`);
    await writeFile(`${folder}/keep.txt`, 'keep');
    const s = await lab.launch(await lab.user(), await lab.image({ [folder]: mapping('/ro', { mode: 'ro' }) }));
    assert.equal(s.state, 'running', JSON.stringify(s.error));
    const w = await execIn(lab.docker, s.container_id as string, ['sh', '-c', 'echo x > /ro/new.txt']);
    assert.notEqual(w.code, 0, 'writing under a ro mount must fail');
    assert.match(w.output, /read-only/i);
    const info = await lab.docker.getContainer(s.container_id as string).inspect();
    assert.equal(info.Mounts.find((m) => m.Destination === '/ro')?.RW, false);
    assert.equal(existsSync(`${folder}/new.txt`), false);
    await lab.manager.destroy(s.session_id, ADMIN_ACTOR);
  });

  it('tokens give each user their own folder below an existing fixed prefix', async () => {
    const prefix = await lab.folder(`/srv/tether-home-${lab.runId}`);
    const image = await lab.image({ [`${prefix}/{username}`]: mapping('/home/me', { uid: 1000, gid: 1000 }) });
    const alice = await lab.user({ username: `alice-${lab.runId}` });
    const bob = await lab.user({ username: `bob-${lab.runId}` });
    const [sa, sb] = await Promise.all([lab.launch(alice, image), lab.launch(bob, image)]);
    assert.equal(sa.state, 'running', JSON.stringify(sa.error));
    assert.equal(sb.state, 'running', JSON.stringify(sb.error));
    await execIn(lab.docker, sa.container_id as string, ['sh', '-c', 'echo alice > /home/me/who']);
    await execIn(lab.docker, sb.container_id as string, ['sh', '-c', 'echo bob > /home/me/who']);
    assert.equal(await readFile(`${prefix}/${alice.username}/who`, 'utf8'), 'alice\n');
    assert.equal(await readFile(`${prefix}/${bob.username}/who`, 'utf8'), 'bob\n');
    const st = await stat(`${prefix}/${alice.username}`);
    assert.deepEqual([st.uid, st.gid], [1000, 1000]);
    assert.equal(sa.mounts?.mounts[0]?.host_path, `${prefix}/${alice.username}`);
    await Promise.all([lab.manager.destroy(sa.session_id, ADMIN_ACTOR), lab.manager.destroy(sb.session_id, ADMIN_ACTOR)]);
  });

  it('a missing fixed prefix fails as missing, names the mapping, creates nothing, leaves no container', async () => {
    const prefix = `/srv/tether-absent-${lab.runId}`;
    const image = await lab.image({ [`${prefix}/{username}`]: mapping('/home/me') });
    const s = await lab.launch(await lab.user(), image);
    assert.equal(s.state, 'failed');
    assert.equal(s.error?.class, 'missing');
    assert.equal(s.error?.mapping, `${prefix}/{username} -> /home/me`);
    assert.equal(existsSync(prefix), false, 'the fixed prefix is never created');
    assert.equal((await lab.containersOf(s.session_id)).length, 0);
    assert.equal(s.container_id, null);
  });

  it('flags drift when the effective mounts would differ today', async () => {
    const a = await lab.folder(`/srv/tether-drift-a-${lab.runId}`);
    const b = await lab.folder(`/srv/tether-drift-b-${lab.runId}`);
    const group = await lab.group({ volume_mappings: {} });
    const user = await lab.user({ groups: [group] });
    const image = await lab.image({ [a]: mapping('/a') });
    const s = await lab.launch(user, image);
    assert.equal(s.state, 'running', JSON.stringify(s.error));
    assert.equal(await lab.manager.drift(s), false);
    await lab.store.groups.update(group.group_id, { settings: { ...group.settings, volume_mappings: { [b]: mapping('/b') } } });
    assert.equal(await lab.manager.drift(s), true, 'a group mapping added since launch is drift');
    await lab.manager.destroy(s.session_id, ADMIN_ACTOR);
  });

  it('an image the engine lacks is pulled at launch, its progress on the event stream', async () => {
    const registry = await startRegistry();
    try {
      const ref = await registry.pushTestImage(lab.docker, `tether-pull-${lab.runId}`);
      const s = await lab.launch(await lab.user(), await lab.image({}, { docker_image: ref }));
      assert.equal(s.state, 'running', JSON.stringify(s.error));
      const types: string[] = [];
      for await (const e of lab.manager.events(s.session_id)) types.push(e.type);
      assert.ok(types.includes('image.pull'), `no image.pull event in ${types.join(', ')}`);
      assert.ok(types.indexOf('image.pull') < types.indexOf('container.created'));
      await lab.manager.destroy(s.session_id, ADMIN_ACTOR);
      await lab.docker.getImage(ref).remove().catch(() => undefined);
    } finally {
      await registry.stop();
    }
  });
});
