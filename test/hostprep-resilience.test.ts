// The local worker pool when things go wrong: a worker killed from outside, a cancelled
// launch (AbortSignal), and a Tether process that must still exit on its own while a
// preparation is stuck on hung storage.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createLocalHostPreparer, type LocalHostPreparer, type PrepareRequest } from '../src/hostprep/index.js';
import { startSshfsExport, type SshfsExport } from './helpers/sshfs.js';

const base = mkdtempSync('/tmp/tether-resilience-');
let preparer: LocalHostPreparer;

function req(name: string, extra: Partial<PrepareRequest> = {}): PrepareRequest {
  mkdirSync(`${base}/p`, { recursive: true });
  return { hostPath: `${base}/p/${name}`, fixedPrefix: `${base}/p`, uid: null, gid: null, skipCheck: false, timeoutMs: 10_000, session: 'resilience', ...extra };
}

before(() => {
  preparer = createLocalHostPreparer({ minWorkers: 2, maxWorkers: 4 });
});
after(async () => {
  await preparer.release('resilience');
  await preparer.close();
  rmSync(base, { recursive: true, force: true });
});

describe('local host preparation: resilience', () => {
  it('replaces a worker killed from outside and keeps answering', async () => {
    assert.equal((await preparer.prepare(req('a'))).ok, true);
    const pids = await new Promise<string>((resolve) => execFile('pgrep', ['-P', String(process.pid), '-f', 'hostprep-worker'], (_e, out) => resolve(out)));
    const victims = pids.split('\n').filter(Boolean).map(Number);
    assert.ok(victims.length >= 1, 'workers are child processes of this process');
    for (const pid of victims) process.kill(pid, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 200));
    const r = await preparer.prepare(req('b'));
    assert.equal(r.ok, true, JSON.stringify(r));
    assert.ok(preparer.stats().live >= 1);
  });

  it('answers at once when the caller aborts, as timeout with a cancellation message', async () => {
    const ac = new AbortController();
    ac.abort();
    const r = await preparer.prepare(req('c'), ac.signal);
    assert.equal(!r.ok && r.class, 'timeout');
    assert.match(!r.ok ? r.message : '', /cancelled/);
    assert.equal((await preparer.prepare(req('d'))).ok, true, 'a pre-aborted request disturbs nothing');
  });

  it('a process whose preparation is stuck on hung storage still exits on its own', async () => {
    const nas: SshfsExport = await startSshfsExport();
    try {
      nas.hang();
      const index = fileURLToPath(new URL('../src/hostprep/index.ts', import.meta.url));
      // no close(), no process.exit(): the event loop must empty by itself after the timeout
      const program = `
        const { createLocalHostPreparer } = await import(${JSON.stringify(index)});
        const p = createLocalHostPreparer();
        const r = await p.prepare({ hostPath: ${JSON.stringify(`${nas.mountDir}/x`)}, fixedPrefix: ${JSON.stringify(nas.mountDir)}, uid: null, gid: null, skipCheck: false, timeoutMs: 800, session: 'stuck' });
        console.log(JSON.stringify(r));`;
      const t0 = Date.now();
      // wait for the process to exit, not for its pipes to close: a worker stuck on the storage
      // still holds the inherited stderr (hence 'ignore' here) until the storage answers
      const out = await new Promise<string>((resolve, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', program], { stdio: ['ignore', 'pipe', 'ignore'] });
        let stdout = '';
        child.stdout.on('data', (c: Buffer) => { stdout += c.toString(); });
        const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
        child.on('exit', (code, sig) => {
          clearTimeout(killer);
          if (code === 0) resolve(stdout);
          else reject(new Error(`child exited with code ${code}, signal ${sig}; stdout: ${stdout}`));
        });
      });
      const elapsed = Date.now() - t0;
      assert.equal(JSON.parse(out.trim()).class, 'timeout', out);
      assert.ok(elapsed < 15_000, `the process took ${elapsed} ms to exit while the storage hung`);
    } finally {
      await nas.teardown();
    }
  });
});
