import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { checkHostRoot, fromHost, inHost, resolveInHost } from './host-root.js';

describe('host root', () => {
  const root = mkdtempSync('/tmp/tether-host-root-');
  after(() => rmSync(root, { recursive: true, force: true }));

  it("translates the node's paths both ways; '/' changes nothing", () => {
    assert.equal(inHost('/srv/a', '/host'), '/host/srv/a');
    assert.equal(inHost('/', '/host'), '/host');
    assert.equal(fromHost('/host/srv/a', '/host'), '/srv/a');
    assert.equal(fromHost('/host', '/host'), '/');
    assert.equal(inHost('/srv/a', '/'), '/srv/a');
    assert.equal(fromHost('/srv/a', '/'), '/srv/a');
    assert.throws(() => fromHost('/hostile/x', '/host'), /outside the node's file system/);
    assert.throws(() => fromHost('/etc/passwd', '/host'), /outside the node's file system/);
  });

  it('checks the root itself', () => {
    assert.equal(checkHostRoot('/'), '/');
    assert.equal(checkHostRoot('/host/'), '/host');
    assert.throws(() => checkHostRoot('host'), /not an absolute, normalized path/);
    assert.throws(() => checkHostRoot('/a/../b'), /not an absolute, normalized path/);
  });

  it('resolves symlinks as the node does: an absolute target starts again at the host root', async () => {
    mkdirSync(`${root}/mnt/nfs/share`, { recursive: true });
    mkdirSync(`${root}/srv`);
    symlinkSync('/mnt/nfs', `${root}/srv/data`);
    symlinkSync('../mnt/nfs/share', `${root}/srv/rel`);
    assert.equal(await resolveInHost('/srv/data/share', root), `${root}/mnt/nfs/share`);
    assert.equal(await resolveInHost('/srv/rel', root), `${root}/mnt/nfs/share`);
    // climbing above the node's / stays at its /
    symlinkSync('/../../../../etc', `${root}/srv/up`);
    assert.equal(await resolveInHost('/srv/up', root), `${root}/etc`);
    assert.equal(await resolveInHost('/srv/missing/x', root), `${root}/srv/missing/x`);
    symlinkSync('/srv/loop', `${root}/srv/loop`);
    await assert.rejects(resolveInHost('/srv/loop', root), /more than 40 symlinks/);
  });
});
