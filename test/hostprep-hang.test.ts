// Storage that hangs, for real: an SSHFS mount whose sftp-server is SIGSTOPped. Host
// preparation must answer `timeout` at the mapping's deadline, keep the event loop free,
// and keep serving healthy requests while hung workers linger.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createLocalHostPreparer, type LocalHostPreparer, type PrepareRequest } from '../src/hostprep/index.js';
import { processState, startSshfsExport, type SshfsExport } from './helpers/sshfs.js';

const TIMEOUT_MS = 1500;
const SESSION = `hang-${process.pid}`;
let nas: SshfsExport | undefined;
let preparer: LocalHostPreparer;
const localBase = mkdtempSync('/tmp/tether-hang-local-');

function req(hostPath: string, fixedPrefix: string, timeoutMs = TIMEOUT_MS): PrepareRequest {
  return { hostPath, fixedPrefix, uid: 1000, gid: 1000, skipCheck: false, timeoutMs, session: SESSION };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

before(async () => {
  nas = await startSshfsExport();
  preparer = createLocalHostPreparer({ minWorkers: 2, maxWorkers: 4 });
});

after(async () => {
  // resume and unmount first: closing the pool never waits on hung workers anyway
  await nas?.teardown();
  await preparer?.release(SESSION);
  await preparer?.close();
  rmSync(localBase, { recursive: true, force: true });
});

describe('host preparation against storage that hangs', () => {
  it('works on the healthy SSHFS mount', async () => {
    const r = await preparer.prepare(req(`${nas!.mountDir}/alice`, nas!.mountDir, 20_000));
    assert.equal(r.ok, true, JSON.stringify(r));
  });

  it('a hung mount really blocks stat: state D after SIGKILL, until resumed', async () => {
    writeFileSync(`${nas!.exportDir}/probe`, 'x');
    nas!.hang();
    const child = spawn('stat', [`${nas!.mountDir}/probe`], { stdio: 'ignore' });
    try {
      await sleep(500);
      assert.notEqual(processState(child.pid!), null, 'stat should still be waiting on the hung mount');
      child.kill('SIGKILL');
      await sleep(500);
      assert.equal(processState(child.pid!), 'D', 'SIGKILL does not end a process stuck on hung FUSE storage');
    } finally {
      nas!.resume();
    }
    await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(null) : child.once('exit', r)));
  });

  it('times out at the deadline, keeps the event loop and healthy requests going, recovers after resume', async () => {
    let ticks = 0;
    let worstGap = 0;
    let last = Date.now();
    const ticker = setInterval(() => {
      const now = Date.now();
      worstGap = Math.max(worstGap, now - last);
      last = now;
      ticks++;
    }, 50);
    nas!.hang();
    try {
      const t0 = Date.now();
      const first = await preparer.prepare(req(`${nas!.mountDir}/bob`, nas!.mountDir));
      const elapsed = Date.now() - t0;
      assert.equal(!first.ok && first.class, 'timeout', JSON.stringify(first));
      assert.ok(elapsed > TIMEOUT_MS - 100 && elapsed < TIMEOUT_MS + 3000, `timed out after ${elapsed} ms, expected about ${TIMEOUT_MS} ms`);

      // five more while the hang lasts, and a healthy one on a local folder at the same time
      const hung = Array.from({ length: 5 }, (_, i) => preparer.prepare(req(`${nas!.mountDir}/u${i}`, nas!.mountDir)));
      mkdirSync(`${localBase}/share`);
      const h0 = Date.now();
      const healthy = await preparer.prepare(req(`${localBase}/share/carol`, `${localBase}/share`, 20_000));
      const healthyMs = Date.now() - h0;
      assert.equal(healthy.ok, true, JSON.stringify(healthy));
      const results = await Promise.all(hung);
      for (const r of results) assert.equal(!r.ok && r.class, 'timeout', JSON.stringify(r));
      assert.ok(healthyMs < TIMEOUT_MS, `healthy preparation took ${healthyMs} ms while storage hung`);
      assert.ok(worstGap < 500, `event loop stalled for ${worstGap} ms`);
      assert.ok(ticks > 20, `interval ticked only ${ticks} times`);
      const stats = preparer.stats();
      assert.equal(stats.timedOut, 6, JSON.stringify(stats));
      assert.ok(stats.abandoned >= 1, JSON.stringify(stats));
      assert.ok(stats.lingering >= 1, `abandoned workers stuck on the storage should still exist: ${JSON.stringify(stats)}`);
    } finally {
      clearInterval(ticker);
      nas!.resume();
    }
    // the storage answers again: the stuck workers finally die, and preparation works
    const after = await preparer.prepare(req(`${nas!.mountDir}/dave`, nas!.mountDir, 20_000));
    assert.equal(after.ok, true, JSON.stringify(after));
    for (let i = 0; i < 100 && preparer.stats().lingering > 0; i++) await sleep(50);
    assert.equal(preparer.stats().lingering, 0, 'abandoned workers exit once the storage resumes');
  });
});
