// Classified launch failures on real folders (spec section 6, step 4): each names the mapping,
// carries its class, and leaves nothing behind (no container, no changed host data).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { mapping, sessionLab, type SessionLab } from './helpers/sessions.js';

const run = promisify(execFile);

describe('session launch failures are classified and roll back (real engine)', () => {
  let lab: SessionLab;
  before(async () => {
    lab = await sessionLab();
  });
  after(async () => {
    await lab?.cleanup();
  });

  async function assertNothingLeft(sessionId: string): Promise<void> {
    assert.equal((await lab.containersOf(sessionId)).length, 0, 'no container left behind');
    const rec = await lab.store.sessions.get(sessionId);
    assert.equal(rec?.state, 'failed');
    assert.equal(rec?.container_id, null);
  }

  it('permission: ownership cannot be applied (immutable folder) -> permission', async () => {
    const folder = await lab.folder(`/srv/tether-immutable-${lab.runId}`);
    await run('chattr', ['+i', folder]);
    try {
      const s = await lab.launch(await lab.user(), await lab.image({ [folder]: mapping('/data', { uid: 1000, gid: 1000 }) }));
      assert.equal(s.error?.class, 'permission', JSON.stringify(s.error));
      assert.equal(s.error?.mapping, `${folder} -> /data`);
      assert.match(s.error?.message ?? '', new RegExp(folder));
      assert.equal((await stat(folder)).uid, 0, 'ownership unchanged');
      await assertNothingLeft(s.session_id);
    } finally {
      await run('chattr', ['-i', folder]);
    }
  });

  it('a file where a folder is expected -> not_directory', async () => {
    const dir = await lab.folder(`/srv/tether-file-${lab.runId}`);
    const file = `${dir}/actually-a-file`;
    await writeFile(file, 'data');
    const s = await lab.launch(await lab.user(), await lab.image({ [file]: mapping('/data') }));
    assert.equal(s.error?.class, 'not_directory', JSON.stringify(s.error));
    assert.equal(s.error?.mapping, `${file} -> /data`);
    await assertNothingLeft(s.session_id);
  });

  it('a deny-listed path reached through a symlink -> policy, target untouched', async () => {
    // The target is under /var/lib (always refused); created here so a bug could harm nothing real.
    const target = `/var/lib/tether-test-symlink-target-${lab.runId}`;
    await mkdir(target);
    const dir = await lab.folder(`/srv/tether-link-${lab.runId}`);
    const link = `${dir}/innocent`;
    await symlink(target, link);
    try {
      const s = await lab.launch(await lab.user(), await lab.image({ [link]: mapping('/data', { uid: 1000, gid: 1000 }) }));
      assert.equal(s.error?.class, 'policy', JSON.stringify(s.error));
      assert.equal(s.error?.mapping, `${link} -> /data`);
      const st = await stat(target);
      assert.deepEqual([st.uid, st.gid], [0, 0], 'the deny-listed target was not chowned');
      await assertNothingLeft(s.session_id);
    } finally {
      await rm(target, { recursive: true, force: true });
    }
  });

  it('an optional mapping that fails is left out with a warning; the session runs', async () => {
    const good = await lab.folder(`/srv/tether-good-${lab.runId}`);
    const absent = `/srv/tether-absent-opt-${lab.runId}`;
    const s = await lab.launch(await lab.user(), await lab.image({ [good]: mapping('/good'), [absent]: mapping('/opt', { required: false }) }));
    assert.equal(s.state, 'running', JSON.stringify(s.error));
    assert.deepEqual(s.mounts?.mounts.map((m) => m.bind), ['/good']);
    assert.equal(s.warnings.length, 1);
    assert.equal(s.warnings[0]?.class, 'missing');
    assert.equal(s.warnings[0]?.mapping, `${absent} -> /opt`);
    const info = await lab.docker.getContainer(s.container_id as string).inspect();
    assert.deepEqual(info.Mounts.map((m) => m.Destination).sort(), ['/good']);
  });

  it('the metrics count volume checks by class and launches by outcome', async () => {
    const text = await lab.metrics.registry.metrics();
    for (const cls of ['permission', 'not_directory', 'policy', 'missing', 'ok']) {
      assert.match(text, new RegExp(`tether_volume_checks_total\\{result="${cls}"\\} [1-9]`), cls);
    }
    assert.match(text, /tether_launches_total\{outcome="failed"\} 3/);
    assert.match(text, /tether_launches_total\{outcome="running"\} 1/);
    assert.match(text, /tether_sessions\{state="failed"\} 3/);
    assert.match(text, /tether_launch_duration_seconds_count 1/);
  });
});
