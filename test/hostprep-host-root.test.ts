// Host preparation with hostRoot (the node agent in its container sees the node's / at /host):
// here a real folder tree stands for the node's file system. The walk, the stage and the
// verification happen under the root; every path in a result (real path, created, the stage
// handed to the engine) is the node's own, without the prefix; the policy judges the node's path
// (a symlink to the node's /etc is refused); an absolute symlink in the administrator's prefix
// resolves inside the node, not in the agent's own file system.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createLocalHostPreparer, type LocalHostPreparer, type PrepareRequest } from '../src/hostprep/index.js';
import { TEST_IMAGE, dockerClient, ensureDocker } from './helpers/docker.js';

const base = mkdtempSync('/var/tmp/tether-host-root-');
const root = `${base}/node`;
const session = `host-root-${process.pid}`;
let preparer: LocalHostPreparer;

function req(hostPath: string, fixedPrefix: string): PrepareRequest {
  return { hostPath, fixedPrefix, uid: 1000, gid: 1000, skipCheck: false, timeoutMs: 10_000, session };
}

function mounted(path: string): boolean {
  return readFileSync('/proc/self/mountinfo', 'utf8').split('\n').some((l) => l.split(' ')[4] === path);
}

before(async () => {
  await ensureDocker();
  mkdirSync(`${root}/srv/share`, { recursive: true });
  mkdirSync(`${root}/mnt/nfs/export`, { recursive: true });
  mkdirSync(`${root}/etc`, { recursive: true });
  symlinkSync('/mnt/nfs', `${root}/srv/nfs`);
  symlinkSync('/etc', `${root}/srv/sneaky`);
  // the node's /proc: this machine's (the agent's container has the node's at /host/proc)
  symlinkSync('/proc', `${root}/proc`);
  preparer = createLocalHostPreparer({ hostRoot: root, minWorkers: 1, maxWorkers: 2, stagingNamespace: `host-root-${process.pid}` });
});

after(async () => {
  await preparer.release(session);
  await preparer.close();
  rmSync(base, { recursive: true, force: true });
});

describe('host preparation under a host root', () => {
  it("prepares inside the root and answers with the node's paths; the stage is made under <root>/run/tether/staging", async () => {
    const r = await preparer.prepare(req('/srv/share/alice', '/srv/share'));
    assert.ok(r.ok, JSON.stringify(r));
    assert.equal(r.realPath, '/srv/share/alice');
    assert.deepEqual(r.created, ['/srv/share/alice']);
    assert.ok(r.source.startsWith('/run/tether/staging/'), `the engine gets the node's path: ${r.source}`);
    const st = statSync(`${root}/srv/share/alice`);
    assert.equal(`${st.uid}:${st.gid}`, '1000:1000');
    assert.deepEqual(r.identity, { dev: st.dev, ino: st.ino });
    const stage = statSync(`${root}${r.source}`);
    assert.deepEqual({ dev: stage.dev, ino: stage.ino }, r.identity, 'the stage under the root shows the prepared folder');
    assert.ok(mounted(`${root}${r.source}`));
  });

  it("an absolute symlink in the prefix resolves on the node (/mnt/nfs under the root), and the real path is the node's", async () => {
    const r = await preparer.prepare(req('/srv/nfs/export/bob', '/srv/nfs/export'));
    assert.ok(r.ok, JSON.stringify(r));
    assert.equal(r.realPath, '/mnt/nfs/export/bob');
    assert.ok(statSync(`${root}/mnt/nfs/export/bob`).isDirectory());
  });

  it("the policy judges the node's real path: a prefix leading to the node's /etc is refused, nothing created", async () => {
    const r = await preparer.prepare(req('/srv/sneaky/x', '/srv/sneaky'));
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.class, 'policy', JSON.stringify(r));
    assert.match(!r.ok ? r.message : '', /"\/etc/);
    assert.throws(() => statSync(`${root}/etc/x`));
  });

  it('verify finds the container through <root>/proc/<pid>/root', async () => {
    const r = await preparer.prepare(req('/srv/share/carol', '/srv/share'));
    assert.ok(r.ok, JSON.stringify(r));
    writeFileSync(`${root}/srv/share/carol/f`, 'x');
    const docker = dockerClient();
    // this machine's engine is not the node's: it is handed where the stage really is
    const c = await docker.createContainer({ Image: TEST_IMAGE, Labels: { 'tether.test': 'host-root' }, HostConfig: { NetworkMode: 'none', Mounts: [{ Type: 'bind', Source: `${root}${r.source}`, Target: '/data', ReadOnly: false }] } });
    try {
      await c.start();
      const pid = (await c.inspect()).State.Pid;
      const v = await preparer.verify(pid, [{ target: '/data', expected: r.identity }, { target: '/bin', expected: r.identity }], 10_000);
      assert.ok(v.ok, JSON.stringify(v));
      assert.deepEqual(v.findings.map((f) => f.ok), [true, false]);
    } finally {
      await c.remove({ force: true });
    }
  });

  it('release detaches the stages under the root', async () => {
    await preparer.release(session);
    const left = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((l) => l.split(' ')[4] ?? '').filter((m) => m.startsWith(`${root}/run/tether/staging/`));
    assert.deepEqual(left, []);
  });
});
