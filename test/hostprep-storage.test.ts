// The storage check of the local host preparer (probeStorage) on real folders and on a real
// SSHFS mount whose server is stopped: exists and answers, the marker written 0600 and read
// back, refusals of what a hostile user may plant under the marker's name (symlink, FIFO,
// other content), a prefix through a symlink (followed, its real path judged), and `timeout`
// at the deadline on hung storage while other checks go on.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createLocalHostPreparer, STORAGE_MARKER_PREFIX, type LocalHostPreparer, type StorageProbeRequest, type StorageProbeResult } from '../src/hostprep/index.js';
import { startSshfsExport, type SshfsExport } from './helpers/sshfs.js';

const base = mkdtempSync('/tmp/tether-storage-probe-');
let preparer: LocalHostPreparer;

async function probe(req: Partial<StorageProbeRequest> & { path: string }): Promise<StorageProbeResult> {
  return preparer.probeStorage!({ timeoutMs: 10_000, ...req });
}

function ok(r: StorageProbeResult): Extract<StorageProbeResult, { ok: true }> {
  assert.equal(r.ok, true, JSON.stringify(r));
  return r as Extract<StorageProbeResult, { ok: true }>;
}

function failed(r: StorageProbeResult): Extract<StorageProbeResult, { ok: false }> {
  assert.equal(r.ok, false, JSON.stringify(r));
  return r as Extract<StorageProbeResult, { ok: false }>;
}

before(() => {
  preparer = createLocalHostPreparer({ minWorkers: 1, maxWorkers: 4 });
});

after(async () => {
  await preparer.close();
  rmSync(base, { recursive: true, force: true });
});

describe('probeStorage on real folders', () => {
  it('an existing prefix answers: exists, its real path and the time it took', async () => {
    const dir = `${base}/share`;
    mkdirSync(dir);
    const r = ok(await probe({ path: dir }));
    assert.equal(r.exists, true);
    assert.equal(r.realPath, dir);
    assert.ok(r.ms >= 0 && r.ms < 10_000);
  });

  it('a missing prefix is exists: false, not an error', async () => {
    const r = ok(await probe({ path: `${base}/nothing-here` }));
    assert.equal(r.exists, false);
  });

  it('writes a 0600 marker with the content, reads it back, removes it', async () => {
    const dir = `${base}/roundtrip`;
    mkdirSync(dir);
    const marker = randomUUID();
    const file = `${dir}/${STORAGE_MARKER_PREFIX}${marker}`;
    ok(await probe({ path: dir, marker, write: 'secret-1\n' }));
    const st = statSync(file);
    assert.equal(st.mode & 0o777, 0o600);
    assert.equal(st.uid, process.getuid!());
    assert.equal(readFileSync(file, 'utf8'), 'secret-1\n');
    assert.equal(ok(await probe({ path: dir, marker, read: 'other' })).markerSeen, false, 'other content is not the marker');
    const back = ok(await probe({ path: dir, marker, read: 'secret-1\n', remove: true }));
    assert.equal(back.markerSeen, true);
    assert.equal(existsSync(file), false, 'the marker is removed');
    const gone = ok(await probe({ path: dir, marker, read: 'secret-1\n' }));
    assert.equal(gone.markerSeen, false);
    assert.match(gone.markerNote ?? '', /is not there/);
  });

  it('never writes through a symlink planted under the marker name, nor reads through one', async () => {
    const dir = `${base}/hostile`;
    mkdirSync(dir);
    const target = `${base}/victim`;
    writeFileSync(target, 'secret-2\n');
    const marker = randomUUID();
    symlinkSync(target, `${dir}/${STORAGE_MARKER_PREFIX}${marker}`);
    const w = failed(await probe({ path: dir, marker, write: 'overwritten' }));
    assert.match(w.message, /exists already/);
    assert.equal(readFileSync(target, 'utf8'), 'secret-2\n', 'the symlink target is untouched');
    const r = ok(await probe({ path: dir, marker, read: 'secret-2\n' }));
    assert.equal(r.markerSeen, false, 'a symlink is never the marker, whatever its target holds');
    assert.match(r.markerNote ?? '', /symlink/);
    assert.match(failed(await probe({ path: dir, marker, remove: true })).message, /not a regular file/);
    assert.equal(readFileSync(target, 'utf8'), 'secret-2\n', 'removing never follows the symlink');
  });

  it('a FIFO under the marker name does not block the read, and is not removed as a marker', async () => {
    const dir = `${base}/fifo`;
    mkdirSync(dir);
    const marker = randomUUID();
    const fifo = `${dir}/${STORAGE_MARKER_PREFIX}${marker}`;
    execFileSync('mkfifo', [fifo]);
    const r = ok(await probe({ path: dir, marker, read: 'x', timeoutMs: 3000 }));
    assert.equal(r.markerSeen, false);
    assert.match(r.markerNote ?? '', /not a regular file/);
    const rm = failed(await probe({ path: dir, marker, remove: true }));
    assert.match(rm.message, /not a regular file/);
    assert.equal(lstatSync(fifo).isFIFO(), true);
  });

  it('a prefix through a symlink is followed (the administrator\'s) and its real path judged by the policy', async () => {
    const real = `${base}/real-share`;
    mkdirSync(real);
    symlinkSync(real, `${base}/linked-share`);
    const r = ok(await probe({ path: `${base}/linked-share` }));
    assert.equal(r.realPath, real);
    symlinkSync('/etc', `${base}/etc-link`);
    const refused = failed(await probe({ path: `${base}/etc-link`, marker: randomUUID(), write: 'x' }));
    assert.equal(refused.class, 'policy');
    assert.match(refused.message, /resolves to "\/etc"/);
    assert.equal(readdirSync('/etc').some((n) => n.startsWith(STORAGE_MARKER_PREFIX)), false, 'nothing was written in /etc');
  });

  it('refuses before any worker: a path the policy refuses, a relative path, a bad marker name', async () => {
    assert.equal(failed(await probe({ path: '/etc' })).class, 'policy');
    assert.match(failed(await probe({ path: 'srv/share' })).message, /absolute, normalized/);
    assert.match(failed(await probe({ path: `${base}/share`, marker: '../../x', write: 'x' })).message, /8-64 characters/);
  });
});

describe('probeStorage on storage that hangs (SSHFS server stopped)', () => {
  let nas: SshfsExport | undefined;
  before(async () => {
    nas = await startSshfsExport();
  });
  after(async () => {
    await nas?.teardown();
  });

  it('answers timeout at the deadline, while a check of healthy storage answers at once', async () => {
    ok(await probe({ path: nas!.mountDir, timeoutMs: 20_000 }));
    nas!.hang();
    try {
      const started = Date.now();
      const hung = probe({ path: nas!.mountDir, timeoutMs: 1500 });
      const healthy = ok(await probe({ path: `${base}/share`, timeoutMs: 1500 }));
      assert.equal(healthy.exists, true);
      const r = failed(await hung);
      const took = Date.now() - started;
      assert.equal(r.class, 'timeout');
      assert.match(r.message, /did not finish within 1500 ms/);
      assert.ok(took >= 1400 && took < 4000, `answered after ${took} ms`);
    } finally {
      nas!.resume();
    }
  });
});
