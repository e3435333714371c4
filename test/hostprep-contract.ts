// The HostPreparer contract, looped over implementations (local workers, engine helper):
// every failure class for real: a real ext4 folder tree, real symlinks, the immutable flag
// (chattr +i) for permission failures that even root gets (EPERM), the default safety policy;
// staging (the engine is handed a stage showing exactly the prepared folder) and the symlink
// race an attacker runs from a separate process.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { DEFAULT_STAGING_ROOT, type HostPreparer, type PrepareRequest, type PrepareResult } from '../src/hostprep/index.js';
import { startFlipper } from './helpers/flipper.js';
import { dockerClient, execIn, TEST_IMAGE } from './helpers/docker.js';

/** how long the attacker flips a folder while preparations run */
const RACE_MS = 15_000;

/** mount points under the staging root, from this host's mount table */
export function stageMounts(): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((l) => l.split(' ')[4] ?? '').filter((m) => m.startsWith(`${DEFAULT_STAGING_ROOT}/`));
}

export interface ContractOptions {
  /** labels of the container the verify test starts (a node agent verifies only Tether's: tether=1) */
  containerLabels?: Record<string, string>;
}

export function hostPreparerContract(name: string, factory: () => Promise<HostPreparer>, options: ContractOptions = {}): void {
// /var/tmp is on the root ext4 here (chattr works); /tmp may be tmpfs elsewhere
const base = mkdtempSync('/var/tmp/tether-hostprep-');
const immutable: string[] = [];
let preparer: HostPreparer;
const session = `contract-${process.pid}-${name.replace(/[^a-z]/g, '')}`;

function req(hostPath: string, fixedPrefix: string, extra: Partial<PrepareRequest> = {}): PrepareRequest {
  return { hostPath, fixedPrefix, uid: null, gid: null, skipCheck: false, timeoutMs: 10_000, session, ...extra };
}

/** the fields that say what was prepared (source and identity are checked by assertStaged) */
function summary(r: PrepareResult): object {
  return r.ok ? { ok: true, realPath: r.realPath, created: r.created } : r;
}

/** The stage the engine gets shows exactly the prepared folder, from a root-only place. */
function assertStaged(r: PrepareResult, path: string): void {
  assert.ok(r.ok, JSON.stringify(r));
  assert.ok(r.source.startsWith(`${DEFAULT_STAGING_ROOT}/`), `stage ${r.source} is under ${DEFAULT_STAGING_ROOT}`);
  const folder = statSync(path);
  assert.deepEqual(r.identity, { dev: folder.dev, ino: folder.ino }, 'identity of the prepared folder');
  const stage = statSync(r.source);
  assert.deepEqual({ dev: stage.dev, ino: stage.ino }, r.identity, 'the stage shows the prepared folder');
  assert.ok(stageMounts().includes(r.source), 'the stage is a mount point');
}

function owner(path: string): string {
  const st = statSync(path);
  return `${st.uid}:${st.gid}`;
}

function makeImmutable(path: string): void {
  execFileSync('chattr', ['+i', path]);
  immutable.push(path);
}

before(async () => {
  preparer = await factory();
});

after(async () => {
  await preparer.release(session);
  await preparer.close();
  for (const p of immutable) execFileSync('chattr', ['-i', p]);
  rmSync(base, { recursive: true, force: true });
});

describe(`HostPreparer contract: ${name}`, () => {
  it('creates only the part below the fixed prefix, owned 1000:1000 by default', async () => {
    const prefix = `${base}/share1`;
    mkdirSync(prefix);
    const r = await preparer.prepare(req(`${prefix}/alice/docs`, prefix));
    assert.deepEqual(summary(r), { ok: true, realPath: `${prefix}/alice/docs`, created: [`${prefix}/alice`, `${prefix}/alice/docs`] });
    assertStaged(r, `${prefix}/alice/docs`);
    assert.equal(owner(`${prefix}/alice`), '1000:1000');
    assert.equal(owner(`${prefix}/alice/docs`), '1000:1000');
    assert.equal(owner(prefix), '0:0', 'the fixed prefix itself is not Tether-created and not chowned without uid/gid');
  });

  it('gives created folders the mapping uid/gid, and chowns an existing folder itself but not its content', async () => {
    const prefix = `${base}/share2`;
    mkdirSync(`${prefix}/existing`, { recursive: true });
    writeFileSync(`${prefix}/existing/file`, 'keep');
    chownSync(`${prefix}/existing/file`, 4321, 4321);
    const created = await preparer.prepare(req(`${prefix}/bob`, prefix, { uid: 1234, gid: 2345 }));
    assert.equal(created.ok, true);
    assert.equal(owner(`${prefix}/bob`), '1234:2345');

    const existing = await preparer.prepare(req(`${prefix}/existing`, `${prefix}/existing`, { uid: 1500, gid: 1600 }));
    assert.deepEqual(summary(existing), { ok: true, realPath: `${prefix}/existing`, created: [] });
    assert.equal(owner(`${prefix}/existing`), '1500:1600');
    assert.equal(owner(`${prefix}/existing/file`), '4321:4321', 'never recursive');
  });

  it('fails as missing when the fixed prefix does not exist, and creates nothing', async () => {
    const prefix = `${base}/not-there/share`;
    const r = await preparer.prepare(req(`${prefix}/carol`, prefix));
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.class, 'missing');
    assert.match(!r.ok ? r.message : '', /fixed prefix .*not-there\/share.* does not exist/);
    assert.equal(existsSync(`${base}/not-there`), false);
  });

  it('fails as not_directory for a file where a folder is expected (prefix or below it)', async () => {
    writeFileSync(`${base}/plainfile`, 'x');
    const asPrefix = await preparer.prepare(req(`${base}/plainfile/dave`, `${base}/plainfile`));
    assert.equal(!asPrefix.ok && asPrefix.class, 'not_directory');
    mkdirSync(`${base}/share3`);
    writeFileSync(`${base}/share3/erin`, 'x');
    const below = await preparer.prepare(req(`${base}/share3/erin/docs`, `${base}/share3`));
    assert.equal(!below.ok && below.class, 'not_directory');
    assert.match(!below.ok ? below.message : '', /share3\/erin.* is not a folder/);
  });

  it('fails as permission when even root may not create or chown (immutable folder)', async () => {
    const prefix = `${base}/locked`;
    mkdirSync(prefix);
    makeImmutable(prefix);
    const create = await preparer.prepare(req(`${prefix}/frank`, prefix));
    assert.equal(!create.ok && create.class, 'permission', JSON.stringify(create));
    assert.equal(existsSync(`${prefix}/frank`), false);
    const chown = await preparer.prepare(req(prefix, prefix, { uid: 1000, gid: 1000 }));
    assert.equal(!chown.ok && chown.class, 'permission', JSON.stringify(chown));
    assert.match(!chown.ok ? chown.message : '', /chown/);
  });

  it('refuses a deny-listed path reached through a symlink, before creating anything', async () => {
    const link = `${base}/etc-link`;
    symlinkSync('/etc', link);
    const name = `tether-test-${process.pid}`;
    const r = await preparer.prepare(req(`${link}/${name}`, link));
    assert.equal(!r.ok && r.class, 'policy', JSON.stringify(r));
    assert.match(!r.ok ? r.message : '', /\/etc/);
    assert.equal(existsSync(`/etc/${name}`), false, 'nothing created under /etc');

    const prefix = `${base}/share4`;
    mkdirSync(prefix);
    symlinkSync('/etc', `${prefix}/grace`);
    const below = await preparer.prepare(req(`${prefix}/grace`, prefix, { uid: 1000, gid: 1000 }));
    assert.equal(!below.ok && below.class, 'policy', JSON.stringify(below));
    assert.equal(owner('/etc'), '0:0');
  });

  it('refuses a deny-listed path string without touching storage', async () => {
    const r = await preparer.prepare(req('/etc/tether-never', '/etc'));
    assert.equal(!r.ok && r.class, 'policy');
  });

  it('skip_check: walked and staged without creating, chowning or reading; missing is missing; policy applies', async () => {
    const prefix = `${base}/skipped-prefix`;
    const r = await preparer.prepare(req(`${prefix}/henry`, prefix, { skipCheck: true, uid: 1000, gid: 1000 }));
    assert.equal(!r.ok && r.class, 'missing', JSON.stringify(r));
    assert.equal(existsSync(prefix), false, 'nothing created');
    mkdirSync(`${prefix}/henry`, { recursive: true });
    const found = await preparer.prepare(req(`${prefix}/henry`, prefix, { skipCheck: true, uid: 4242, gid: 4242 }));
    assert.deepEqual(summary(found), { ok: true, realPath: `${prefix}/henry`, created: [] });
    assertStaged(found, `${prefix}/henry`);
    assert.equal(owner(`${prefix}/henry`), '0:0', 'skip_check changes no owner');
    const below = await preparer.prepare(req(`${prefix}/henry/more`, prefix, { skipCheck: true }));
    assert.equal(!below.ok && below.class, 'missing', 'skip_check creates nothing below either');
    symlinkSync(`${prefix}/henry`, `${prefix}/ivy`);
    const link = await preparer.prepare(req(`${prefix}/ivy`, prefix, { skipCheck: true }));
    assert.equal(!link.ok && link.class, 'policy', 'a symlink is refused with skip_check too');
    const denied = await preparer.prepare(req('/usr/share/x', '/usr/share', { skipCheck: true }));
    assert.equal(!denied.ok && denied.class, 'policy');
  });

  it('refuses a symlink below the prefix even when its target is inside the prefix (another user\'s folder)', async () => {
    const prefix = `${base}/users`;
    mkdirSync(`${prefix}/bob`, { recursive: true });
    writeFileSync(`${prefix}/bob/secret`, 'bob');
    mkdirSync(`${prefix}/alice`);
    symlinkSync(`${prefix}/bob`, `${prefix}/alice/img`);
    const r = await preparer.prepare(req(`${prefix}/alice/img`, prefix, { uid: 4242, gid: 4242 }));
    assert.equal(!r.ok && r.class, 'policy', JSON.stringify(r));
    assert.match(!r.ok ? r.message : '', /alice\/img" is a symlink: symlinks below the fixed prefix are never followed/);
    assert.equal(owner(`${prefix}/bob`), '0:0', "bob's folder keeps its owner");
    symlinkSync('bob', `${prefix}/carol`);
    const relative = await preparer.prepare(req(`${prefix}/carol/img`, prefix));
    assert.equal(!relative.ok && relative.class, 'policy', 'a relative symlink on the way is refused too');
    assert.equal(existsSync(`${prefix}/bob/img`), false, 'nothing created through it');
  });

  it('release detaches every stage of the session', async () => {
    const prefix = `${base}/release`;
    mkdirSync(prefix);
    const own = `release-${process.pid}`;
    const rs = await Promise.all(['a', 'b'].map((n) => preparer.prepare(req(`${prefix}/${n}`, prefix, { session: own }))));
    const sources = rs.map((r) => (r.ok ? r.source : assert.fail(JSON.stringify(r))));
    assert.ok(sources.every((s) => stageMounts().includes(s)));
    await preparer.release(own);
    assert.deepEqual(stageMounts().filter((m) => sources.includes(m)), [], 'no stage left mounted');
    assert.equal(existsSync(sources[0]!), false, 'stage folders removed');
    assert.ok(existsSync(`${prefix}/a`), 'the prepared folders themselves stay');
  });

  it('the symlink race: a folder flipped to a symlink to a root-owned decoy is never chowned, created in or staged', async (t) => {
    const prefix = `${base}/race`;
    mkdirSync(`${prefix}/alice`, { recursive: true });
    const decoy = `${base}/decoy`;
    mkdirSync(decoy);
    writeFileSync(`${decoy}/marker`, 'decoy');
    const decoyId = statSync(decoy);
    const raceSession = `race-${process.pid}`;
    const flipper = startFlipper(`${prefix}/alice/img`, decoy, RACE_MS);
    let running = true;
    void flipper.done.finally(() => (running = false));
    let attempts = 0;
    const outcomes: Record<string, number> = {};
    const wrong: string[] = [];
    while (running) {
      attempts++;
      const r = await preparer.prepare(req(`${prefix}/alice/img`, prefix, { uid: 4242, gid: 4242, session: raceSession }));
      const key = r.ok ? 'ok' : r.class;
      outcomes[key] = (outcomes[key] ?? 0) + 1;
      if (r.ok) {
        if (r.identity.ino === decoyId.ino && r.identity.dev === decoyId.dev) wrong.push(`attempt ${attempts}: prepared the decoy`);
        if (existsSync(`${r.source}/marker`)) wrong.push(`attempt ${attempts}: the stage shows the decoy`);
        // the folder may have been renamed by the attacker after it was opened: still theirs
        if (!r.realPath.startsWith(`${prefix}/alice/img`)) wrong.push(`attempt ${attempts}: real path ${r.realPath}`);
      } else if (r.class !== 'policy' && r.class !== 'missing' && r.class !== 'not_directory') {
        wrong.push(`attempt ${attempts}: unexpected ${r.class}: ${r.message}`);
      }
      await preparer.release(raceSession);
    }
    const flips = await flipper.done;
    t.diagnostic(`${flips} flips, ${attempts} preparations: ${JSON.stringify(outcomes)}`);
    assert.ok(flips > 100, `the attacker flipped ${flips} times`);
    assert.ok(attempts >= 5, `only ${attempts} preparations ran during the race`);
    assert.deepEqual(wrong, [], `outcomes ${JSON.stringify(outcomes)}`);
    assert.equal(owner(decoy), '0:0', `the decoy was chowned (outcomes ${JSON.stringify(outcomes)})`);
    assert.equal(owner(`${decoy}/marker`), '0:0');
    assert.equal(existsSync(`${decoy}/img`), false);
    assert.deepEqual(stageMounts().filter((m) => m.includes(`/${raceSession}/`)), [], 'every stage released');
  });

  it('verify: a started container shows the staged folder at its bind (after release too); anything else is a mismatch', async () => {
    const prefix = `${base}/verify`;
    mkdirSync(prefix);
    const own = `verify-${process.pid}`;
    const r = await preparer.prepare(req(`${prefix}/v`, prefix, { session: own }));
    assert.ok(r.ok, JSON.stringify(r));
    writeFileSync(`${prefix}/v/seen`, 'yes');
    const docker = dockerClient();
    const c = await docker.createContainer({
      Image: TEST_IMAGE, Labels: { 'tether.test': 'hostprep-contract', ...options.containerLabels },
      HostConfig: { NetworkMode: 'none', Mounts: [{ Type: 'bind', Source: r.source, Target: '/data/inner', ReadOnly: false }] },
    });
    try {
      await c.start();
      await preparer.release(own);
      assert.equal((await execIn(docker, c.id, ['cat', '/data/inner/seen'])).output, 'yes', 'the running container keeps its mount after the stage is released');
      assert.equal((await execIn(docker, c.id, ['ln', '-s', '/data', '/lnk'])).code, 0);
      const pid = (await c.inspect()).State.Pid;
      const other = { dev: r.identity.dev, ino: r.identity.ino + 1 };
      const v = await preparer.verify(pid, [
        { target: '/data/inner', expected: r.identity },
        { target: '/data/inner', expected: other },
        { target: '/bin', expected: r.identity },
        { target: '/lnk/inner', expected: r.identity },
        { target: '/missing', expected: r.identity },
      ], 10_000);
      assert.ok(v.ok, JSON.stringify(v));
      assert.deepEqual(v.findings.map((f) => f.ok), [true, false, false, false, false]);
      assert.deepEqual(v.findings[1]?.found, r.identity, 'what was found is reported');
      assert.match(v.findings[3]?.message ?? '', /"\/lnk" is a symlink: symlinks on the way to a bind target inside the container are never followed/);
      assert.equal(v.findings[4]?.found, null);
    } finally {
      await c.remove({ force: true });
    }
  });

  it('handles concurrent requests beyond the idle pool', async () => {
    const prefix = `${base}/share5`;
    mkdirSync(prefix);
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => preparer.prepare(req(`${prefix}/u${i}`, prefix))));
    assert.ok(results.every((r) => r.ok), JSON.stringify(results.filter((r) => !r.ok)));
  });
});
}
