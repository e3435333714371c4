// Host preparation through helper containers on the engine, as if the engine were remote:
// the HostPreparer contract, then storage that hangs.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createEngineHostPreparer, HELPER_LABEL, type EngineHostPreparer } from '../src/hostprep/index.js';
import { dockerClient, ensureDocker, TEST_IMAGE } from './helpers/docker.js';
import { startSshfsExport, type SshfsExport } from './helpers/sshfs.js';
import { hostPreparerContract } from './hostprep-contract.js';

// after everything in this file: no helper container may outlive its work
after(async () => {
  const left = await dockerClient().listContainers({ all: true, filters: { label: [HELPER_LABEL] } });
  assert.deepEqual(left.map((c) => `${c.Id.slice(0, 12)} ${c.State}`), [], 'no helper container left behind');
});

hostPreparerContract('engine helper containers', async () => {
  await ensureDocker();
  return createEngineHostPreparer({ docker: dockerClient(), image: TEST_IMAGE });
});

describe('engine helper against storage that hangs', () => {
  const TIMEOUT_MS = 2000;
  let nas: SshfsExport | undefined;
  let preparer: EngineHostPreparer;
  const localBase = mkdtempSync('/tmp/tether-engine-hang-');
  const SESSION = `engine-hang-${process.pid}`;

  before(async () => {
    await ensureDocker();
    nas = await startSshfsExport();
    preparer = createEngineHostPreparer({ docker: dockerClient(), image: TEST_IMAGE, removeTimeoutMs: 10_000 });
  });
  after(async () => {
    await preparer.release(SESSION);
    await nas?.teardown();
    // helpers stuck on the storage can go now that it answers again
    for (let i = 0; i < 100 && preparer.stats().helpersPending > 0; i++) await new Promise((r) => setTimeout(r, 100));
    await preparer.sweep();
    rmSync(localBase, { recursive: true, force: true });
    const left = await dockerClient().listContainers({ all: true, filters: { label: [`${HELPER_LABEL}=hostprep`] } });
    assert.equal(left.length, 0, 'no helper container left behind');
  });

  it('sees a mount made after Tether started, and times out at the deadline when it hangs', async () => {
    const ok = await preparer.prepare({ hostPath: `${nas!.mountDir}/alice`, fixedPrefix: nas!.mountDir, uid: 1000, gid: 1000, skipCheck: false, timeoutMs: 20_000, session: SESSION });
    assert.equal(ok.ok, true, JSON.stringify(ok));
    nas!.hang();
    try {
      const t0 = Date.now();
      const hung = preparer.prepare({ hostPath: `${nas!.mountDir}/bob`, fixedPrefix: nas!.mountDir, uid: 1000, gid: 1000, skipCheck: false, timeoutMs: TIMEOUT_MS, session: SESSION });
      mkdirSync(`${localBase}/share`);
      const healthy = await preparer.prepare({ hostPath: `${localBase}/share/carol`, fixedPrefix: `${localBase}/share`, uid: null, gid: null, skipCheck: false, timeoutMs: 20_000, session: SESSION });
      assert.equal(healthy.ok, true, JSON.stringify(healthy));
      const r = await hung;
      const elapsed = Date.now() - t0;
      assert.equal(!r.ok && r.class, 'timeout', JSON.stringify(r));
      assert.ok(elapsed > TIMEOUT_MS - 100 && elapsed < TIMEOUT_MS + 3000, `timed out after ${elapsed} ms, expected about ${TIMEOUT_MS} ms`);
    } finally {
      nas!.resume();
    }
  });
});
