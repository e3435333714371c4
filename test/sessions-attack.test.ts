// A hostile user against host preparation, on the real engine with real folders: the symlink
// race of the per-user, per-image layout (a separate process flips the user's folder between
// a folder and a symlink to a root-owned decoy while sessions launch), symlinks below the
// fixed prefix (to another user's folder, to /etc), and the after-start verification that
// kills a session whose mount is not the prepared folder.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { chown, mkdir, stat, symlink, writeFile } from 'node:fs/promises';
import pino from 'pino';
import { createLocalHostPreparer, type HostPreparer } from '../src/hostprep/index.js';
import { execIn } from './helpers/docker.js';
import { startFlipper } from './helpers/flipper.js';
import { ADMIN_ACTOR, mapping, sessionLab, type SessionLab } from './helpers/sessions.js';
import { stageMounts } from './hostprep-contract.js';

const RACE_MS = 20_000;

async function owner(path: string): Promise<string> {
  const st = await stat(path);
  return `${st.uid}:${st.gid}`;
}

describe('a hostile user against host preparation (real engine)', () => {
  let lab: SessionLab;
  let prefix: string;
  let decoy: string;
  before(async () => {
    lab = await sessionLab();
    prefix = await lab.folder(`/srv/tether-attack-${lab.runId}`);
    // root-owned, outside every mapping's prefix, with a marker no session may ever see
    decoy = await lab.folder(`/srv/tether-decoy-${lab.runId}`);
    await writeFile(`${decoy}/decoy-marker`, 'decoy');
  });
  after(async () => {
    await lab?.cleanup();
  });

  /** The administrator's guide layout: the user can write the folder holding {image_id}. */
  async function perImageSetup(username: string): Promise<{ userFolder: string }> {
    const userFolder = `${prefix}/${username}`;
    await mkdir(userFolder);
    await chown(userFolder, 4242, 4242);
    return { userFolder };
  }

  it('the race: 20 s of flipping {image_id} to a symlink while launching: 0 wrong mounts, 0 wrong chowns', async (t) => {
    const alice = await lab.user({ username: `alice-${lab.runId}` });
    const { userFolder } = await perImageSetup(alice.username);
    const image = await lab.image({ [`${prefix}/{username}/{image_id}`]: mapping('/profile', { uid: 4242, gid: 4242 }) });
    const flipper = startFlipper(`${userFolder}/${image.image_id.toLowerCase()}`, decoy, RACE_MS);
    let flipping = true;
    void flipper.done.finally(() => (flipping = false));
    const outcomes: Record<string, number> = {};
    const wrong: string[] = [];
    let launches = 0;
    while (flipping) {
      launches++;
      const s = await lab.launch(alice, image);
      const key = s.state === 'running' ? 'running' : `failed:${s.error?.class}`;
      outcomes[key] = (outcomes[key] ?? 0) + 1;
      if (s.state === 'running') {
        const ls = await execIn(lab.docker, s.container_id as string, ['ls', '-a', '/profile']);
        if (ls.output.includes('decoy-marker')) wrong.push(`launch ${launches}: the decoy is mounted at /profile`);
        await lab.manager.destroy(s.session_id, ADMIN_ACTOR);
      } else if (s.error?.class !== 'policy') {
        wrong.push(`launch ${launches}: unexpected failure ${JSON.stringify(s.error)}`);
      }
      if (stageMounts().some((m) => m.includes(`/${s.session_id}/`))) wrong.push(`launch ${launches}: a stage was left mounted`);
    }
    const flips = await flipper.done;
    t.diagnostic(`${flips} flips, ${launches} launches: ${JSON.stringify(outcomes)}`);
    assert.deepEqual(wrong, [], JSON.stringify(outcomes));
    assert.equal(await owner(decoy), '0:0', 'the decoy keeps its owner');
    assert.equal(await owner(`${decoy}/decoy-marker`), '0:0');
    assert.ok(launches >= 5, `only ${launches} launches during the race`);
    assert.ok((outcomes.running ?? 0) >= 1, `no launch succeeded during the race: ${JSON.stringify(outcomes)}`);
    assert.ok(flips > 100, `the attacker flipped only ${flips} times`);
  });

  it("a symlink below the prefix to another user's folder is refused (policy), nothing mounted or chowned", async () => {
    const bob = await lab.user({ username: `bob-${lab.runId}` });
    const mallory = await lab.user({ username: `mallory-${lab.runId}` });
    const bobs = await perImageSetup(bob.username);
    await writeFile(`${bobs.userFolder}/bob-secret`, 'bob');
    const { userFolder } = await perImageSetup(mallory.username);
    const image = await lab.image({ [`${prefix}/{username}/{image_id}`]: mapping('/profile', { uid: 5555, gid: 5555 }) });
    await symlink(bobs.userFolder, `${userFolder}/${image.image_id.toLowerCase()}`);
    const s = await lab.launch(mallory, image);
    assert.equal(s.state, 'failed');
    assert.equal(s.error?.class, 'policy', JSON.stringify(s.error));
    assert.match(s.error?.message ?? '', /is a symlink: symlinks below the fixed prefix are never followed/);
    assert.equal((await lab.containersOf(s.session_id)).length, 0);
    assert.equal(await owner(bobs.userFolder), '4242:4242', "bob's folder keeps its owner");
  });

  it('a symlink below the prefix to /etc is refused (policy), /etc untouched', async () => {
    const eve = await lab.user({ username: `eve-${lab.runId}` });
    const { userFolder } = await perImageSetup(eve.username);
    const image = await lab.image({ [`${prefix}/{username}/{image_id}`]: mapping('/profile', { uid: 4242, gid: 4242 }) });
    await symlink('/etc', `${userFolder}/${image.image_id.toLowerCase()}`);
    const s = await lab.launch(eve, image);
    assert.equal(s.error?.class, 'policy', JSON.stringify(s.error));
    assert.equal(await owner('/etc'), '0:0');
    assert.equal((await lab.containersOf(s.session_id)).length, 0);
  });

  it('verify: the container shows the prepared folder at its bind, and a wrong identity is a mismatch', async () => {
    const user = await lab.user();
    const folder = await lab.folder(`${prefix}/plain-${lab.runId}`);
    const s = await lab.launch(user, await lab.image({ [folder]: mapping('/data') }));
    assert.equal(s.state, 'running', JSON.stringify(s.error));
    const pid = (await lab.runtime.inspect(s.container_id as string))?.pid;
    assert.ok(pid && pid > 0, 'inspect gives the container main process id');
    const st = await stat(folder);
    const right = await lab.preparer.verify(pid, [{ target: '/data', expected: { dev: st.dev, ino: st.ino } }], 10_000);
    assert.deepEqual(right.ok && right.findings.map((f) => f.ok), [true], JSON.stringify(right));
    const wrongId = { dev: st.dev, ino: st.ino + 1 };
    const wrong = await lab.preparer.verify(pid, [{ target: '/data', expected: wrongId }, { target: '/nowhere', expected: wrongId }], 10_000);
    assert.ok(wrong.ok, JSON.stringify(wrong));
    assert.deepEqual(wrong.findings.map((f) => [f.target, f.ok, f.found]), [['/data', false, { dev: st.dev, ino: st.ino }], ['/nowhere', false, null]]);
    await lab.manager.destroy(s.session_id, ADMIN_ACTOR);
  });
});

describe('a mount that is not the prepared folder kills the session (real engine)', () => {
  let lab: SessionLab;
  let real: HostPreparer;
  const lines: Array<Record<string, unknown>> = [];
  before(async () => {
    real = createLocalHostPreparer();
    // Stands in for a mount swapped behind the preparer's back (which the staging makes
    // impossible to provoke for real): the real preparer, reporting a different identity.
    const lying: HostPreparer = {
      ...real,
      prepare: async (req, signal) => {
        const r = await real.prepare(req, signal);
        return r.ok ? { ...r, identity: { dev: r.identity.dev, ino: r.identity.ino + 1 } } : r;
      },
    };
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        for (const l of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(l) as Record<string, unknown>);
        cb();
      },
    });
    lab = await sessionLab({ manager: { preparer: lying, logger: pino({ level: 'info' }, sink) } });
  });
  after(async () => {
    await lab?.cleanup();
    await real?.close();
  });

  it('fails with class policy, removes the container, releases the stage and logs an attack', async () => {
    const user = await lab.user({ username: `victim-${lab.runId}` });
    const folder = await lab.folder(`/srv/tether-verify-${lab.runId}`);
    const s = await lab.launch(user, await lab.image({ [folder]: mapping('/data') }));
    assert.equal(s.state, 'failed');
    assert.equal(s.error?.class, 'policy', JSON.stringify(s.error));
    assert.match(s.error?.message ?? '', /mounted at \/data is not the folder prepared/);
    assert.equal((await lab.containersOf(s.session_id)).length, 0, 'the container is gone');
    assert.deepEqual(stageMounts().filter((m) => m.includes(`/${s.session_id}/`)), [], 'the stage is released');
    const attack = lines.find((l) => l.attack === true);
    assert.ok(attack, 'an attack is logged');
    assert.equal(attack.user, user.username);
    assert.equal(attack.bind, '/data');
    assert.match(String(attack.msg), /^attack: /);
    assert.match(String(attack.expected), /^\d+:\d+$/);
    assert.match(String(attack.found), /^\d+:\d+$/);
    assert.notEqual(attack.expected, attack.found);
  });
});
