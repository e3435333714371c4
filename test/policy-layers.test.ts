// Each layer of the host-path policy on its own, so that removing any one of them fails a
// test here even though the layers after it would still refuse most paths:
// 1. save time (the API): test/api-policy.test.ts;
// 2. launch time: resolveSessionMounts with the server's policy, on the expanded paths: what a
//    token value makes of a template, and a policy that changed after the document was saved;
// 3. the preparer's string check (validateRequest), before any storage is touched: a refused
//    path whose prefix does not exist is "policy", where the worker alone would say "missing";
// 4. the worker's real-path check: a fixed prefix that is a symlink to a refused folder passes
//    every string check, and only the resolved path shows what it is.
// The preparer is the real local one (worker processes, real folders and symlinks).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { MappingDomainError, parseMappingDocument, type HostPathPolicy, type MappingDocument } from '../src/mappings/index.js';
import { resolveSessionMounts } from '../src/sessions/effective-mounts.js';
import { createLocalHostPreparer, type HostPreparer, type PrepareRequest } from '../src/hostprep/index.js';
import { validateRequest } from '../src/hostprep/validate-request.js';
import { defaultGroupSettings } from '../src/store/system-groups.js';
import type { GroupRecord, ImageRecord, UserRecord } from '../src/store/types.js';

const T = '2026-01-01T00:00:00.000Z';
const NO_POLICY: HostPathPolicy = { extraDenied: [], allowedRoots: [] };

function doc(json: string): MappingDocument {
  const parsed = parseMappingDocument(json);
  assert.ok(parsed.ok, JSON.stringify(parsed));
  return parsed.document;
}
const image = (volume_mappings: MappingDocument): ImageRecord => ({
  image_id: '5d2f8e1a-3b4c-4d5e-8f60-718293a4b5c6', name: 'desk', friendly_name: 'Desk', docker_image: 'x:1', volume_mappings,
  persistent_profile_path: null, user: null, cores: null, memory: null, enabled: true, groups: [], web_port: null, registry_auth_encrypted: null,
  created_at: T, updated_at: T,
});
const group = (volume_mappings: MappingDocument): GroupRecord => ({
  group_id: '00000000-0000-4000-8000-00000000000a', name: 'homes', priority: 10, system: false,
  settings: { ...defaultGroupSettings(), volume_mappings }, created_at: T, updated_at: T,
});
const user = (username: string): UserRecord => ({
  user_id: '0b6c3a52-6f1e-4d8e-9a53-2f1c7d9e4a10', username, password_hash: 'x', disabled: false, created_at: T, updated_at: T,
});

/** Resolves twice: the same refusal at every call (nothing is remembered between calls). */
function refusedAtLaunch(img: ImageRecord, groups: GroupRecord[], u: UserRecord, policy: HostPathPolicy, location: string, message: RegExp): void {
  for (let i = 0; i < 2; i++) {
    assert.throws(() => resolveSessionMounts(img, groups, u, policy), (err: unknown) => {
      assert.ok(err instanceof MappingDomainError, String(err));
      assert.equal(err.code, 'policy');
      assert.equal(err.location, location);
      assert.match(err.message, message);
      return true;
    }, `call ${i + 1}`);
  }
}

describe('policy layer 2: launch time, on expanded paths (resolveSessionMounts)', () => {
  it('an allowlist set after the document was saved refuses it at the next launch', () => {
    const img = image(doc('{"/srv/data": {"bind": "/data"}}'));
    assert.equal(resolveSessionMounts(img, [], user('alice'), NO_POLICY).view.mounts.length, 1, 'accepted when saved');
    refusedAtLaunch(img, [], user('alice'), { extraDenied: [], allowedRoots: ['/mnt/shares'] }, 'image "desk" "/srv/data"', /outside the allowed roots \("\/mnt\/shares"\)/);
  });

  it('a folder denied after save is refused for the user whose token reaches it, and only for them', () => {
    const groups = [group(doc('{"/srv/users/{username}": {"bind": "/home/kasm-user"}}'))];
    // e.g. Tether's data folder moved to /srv/users/tether (the server denies it from then on)
    const policy = { extraDenied: ['/srv/users/tether'], allowedRoots: [] };
    const img = image(doc('{}'));
    for (let i = 0; i < 2; i++) assert.equal(resolveSessionMounts(img, groups, user('alice'), policy).view.mounts[0]?.host_path, '/srv/users/alice');
    refusedAtLaunch(img, groups, user('tether'), policy, 'group "homes" (priority 10) "/srv/users/{username}"', /is the protected path "\/srv\/users\/tether"/);
  });

  it('a bind template that a username turns into /etc is refused (no save-time check can see it)', () => {
    const img = image(doc('{"/srv/x": {"bind": "/{username}"}}'));
    assert.equal(resolveSessionMounts(img, [], user('alice'), NO_POLICY).view.mounts[0]?.bind, '/alice');
    refusedAtLaunch(img, [], user('etc'), NO_POLICY, 'image "desk" "/srv/x".bind', /bind "\/etc" is refused/);
  });
});

describe('policy layers 3 and 4: the preparer (real local workers)', () => {
  const base = mkdtempSync('/var/tmp/tether-layers-');
  const secret = `${base}/tether-data`; // stands for Tether's data folder
  const policy: HostPathPolicy = { extraDenied: [secret], allowedRoots: [] };
  let preparer: HostPreparer;
  const session = `layers-${process.pid}`;
  const req = (hostPath: string, fixedPrefix: string): PrepareRequest => ({ hostPath, fixedPrefix, uid: 4242, gid: 4242, skipCheck: false, timeoutMs: 10_000, session });

  before(() => {
    mkdirSync(secret);
    mkdirSync(`${base}/public`);
    preparer = createLocalHostPreparer({ policy, minWorkers: 1, maxWorkers: 2 });
  });
  after(async () => {
    await preparer?.release(session).catch(() => {});
    await preparer?.close();
    rmSync(base, { recursive: true, force: true });
  });

  it('layer 3, the string check: a refused path is refused before storage is touched', async () => {
    const missing = `/etc/tether-layers-${process.pid}`;
    assert.deepEqual(validateRequest(req(`${missing}/x`, missing), policy), {
      ok: false, class: 'policy', message: `host path "${missing}/x" is refused: it is inside the protected path "/etc"; use a dedicated folder, e.g. "/srv/x" or "/mnt/x"`,
    });
    // Through the preparer: the prefix does not exist, so a worker would only have said "missing".
    const r = await preparer.prepare(req(`${missing}/x`, missing));
    assert.equal(!r.ok && r.class, 'policy', JSON.stringify(r));
    const underSecret = await preparer.prepare(req(`${secret}/not-yet/x`, `${secret}/not-yet`));
    assert.equal(!underSecret.ok && underSecret.class, 'policy', JSON.stringify(underSecret));
    assert.equal(existsSync(`${secret}/not-yet`), false);
  });

  it('layer 4, the worker\'s real-path check: a prefix that is a symlink to a refused folder', async () => {
    const link = `${base}/public/share`; // the administrator's prefix, a symlink (allowed in the prefix)
    symlinkSync(secret, link);
    const path = `${link}/alice`;
    assert.equal(validateRequest(req(path, link), policy), null, 'the string check cannot see it');
    const r = await preparer.prepare(req(path, link));
    assert.equal(!r.ok && r.class, 'policy', JSON.stringify(r));
    assert.match(!r.ok ? r.message : '', new RegExp(`protected path ${JSON.stringify(secret).replace(/[/.]/g, '\\$&')}`));
    assert.equal(existsSync(`${secret}/alice`), false, 'nothing created in the refused folder');
  });
});
