// The HostPreparer contract, looped over implementations (local workers, engine helper):
// every failure class for real: a real ext4 folder tree, real symlinks, the immutable flag
// (chattr +i) for permission failures that even root gets (EPERM), the default safety policy.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import type { HostPreparer, PrepareRequest } from '../src/hostprep/index.js';

export function hostPreparerContract(name: string, factory: () => Promise<HostPreparer>): void {
// /var/tmp is on the root ext4 here (chattr works); /tmp may be tmpfs elsewhere
const base = mkdtempSync('/var/tmp/tether-hostprep-');
const immutable: string[] = [];
let preparer: HostPreparer;

function req(hostPath: string, fixedPrefix: string, extra: Partial<PrepareRequest> = {}): PrepareRequest {
  return { hostPath, fixedPrefix, uid: null, gid: null, skipCheck: false, timeoutMs: 10_000, ...extra };
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
  await preparer.close();
  for (const p of immutable) execFileSync('chattr', ['-i', p]);
  rmSync(base, { recursive: true, force: true });
});

describe(`HostPreparer contract: ${name}`, () => {
  it('creates only the part below the fixed prefix, owned 1000:1000 by default', async () => {
    const prefix = `${base}/share1`;
    mkdirSync(prefix);
    const r = await preparer.prepare(req(`${prefix}/alice/docs`, prefix));
    assert.deepEqual(r, { ok: true, realPath: `${prefix}/alice/docs`, created: [`${prefix}/alice`, `${prefix}/alice/docs`] });
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
    assert.deepEqual(existing, { ok: true, realPath: `${prefix}/existing`, created: [] });
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

  it('skip_check: returns the path as written, touches nothing, still applies the policy', async () => {
    const prefix = `${base}/skipped-prefix`;
    const r = await preparer.prepare(req(`${prefix}/henry`, prefix, { skipCheck: true, uid: 1000, gid: 1000 }));
    assert.deepEqual(r, { ok: true, realPath: `${prefix}/henry`, created: [] });
    assert.equal(existsSync(prefix), false);
    const denied = await preparer.prepare(req('/usr/share/x', '/usr/share', { skipCheck: true }));
    assert.equal(!denied.ok && denied.class, 'policy');
  });

  it('handles concurrent requests beyond the idle pool', async () => {
    const prefix = `${base}/share5`;
    mkdirSync(prefix);
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => preparer.prepare(req(`${prefix}/u${i}`, prefix))));
    assert.ok(results.every((r) => r.ok), JSON.stringify(results.filter((r) => !r.ok)));
  });
});
}
