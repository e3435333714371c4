import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  bindRefusal, checkDocumentPolicy, checkHostPath, DEFAULT_DENIED_PATHS, DEFAULT_POLICY, parseMappingDocument, resolveEffectiveMounts, MappingDomainError, type MappingDocument,
} from './index.js';

const refused = (path: string, policy = DEFAULT_POLICY) => {
  const verdict = checkHostPath(path, policy);
  assert.equal(verdict.ok, false, `${path} should be refused`);
  return verdict.ok ? { reason: '', suggestion: '' } : verdict;
};
const allowed = (path: string, policy = DEFAULT_POLICY) => assert.deepEqual(checkHostPath(path, policy), { ok: true }, path);
function doc(text: string): MappingDocument {
  const result = parseMappingDocument(text);
  assert.ok(result.ok);
  return result.document;
}

describe('checkHostPath with the default policy', () => {
  it('lists exactly the spec paths', () => {
    assert.deepEqual([...DEFAULT_DENIED_PATHS].sort(), [
      '/', '/bin', '/boot', '/dev', '/etc', '/lib', '/lib32', '/lib64', '/libx32', '/opt', '/proc', '/root', '/run', '/sbin', '/sys', '/usr',
      '/var/lib', '/var/log', '/var/run', '/var/spool', '/tmp/.X11-unix', '/tmp/.ICE-unix',
    ].sort());
  });
  it('refuses every deny-listed path, anything beneath, and every ancestor', () => {
    for (const denied of DEFAULT_DENIED_PATHS) {
      assert.match(refused(denied).reason, /is the protected path/);
      if (denied !== '/') assert.match(refused(`${denied}/x/y`).reason, /is inside the protected path/);
    }
    assert.match(refused('/var').reason, /contains the protected path "\/var\/lib"/);
    assert.match(refused('/').reason, /protected path "\/"/);
    refused('/var/lib/docker/volumes');
    refused('/run/docker.sock');
    refused('/var/run/docker.sock');
  });
  it('normalizes before deciding and refuses bad syntax', () => {
    assert.match(refused('/var//lib/').reason, /"\/var\/lib" is refused/);
    assert.match(refused('//etc').reason, /protected path "\/etc"/);
    assert.match(refused('/etc/../x').reason, /"\.\." segment/);
    assert.match(refused('/srv/./x').reason, /"\." segment/);
    assert.match(refused('relative/x').reason, /not absolute/);
    assert.match(refused('/srv/a\0').reason, /NUL/);
  });
  it('accepts Kasm\'s example paths and look-alikes of denied names', () => {
    for (const p of ['/var/kasm_user_share', '/var/kasm_user_share1', '/mnt/share', '/srv/data', '/var/libx', '/etcetera', '/home/alice/projects', '/usrdata', '/homes', '/optical', '/tmpfiles', '/var/logs']) allowed(p);
  });
  it('refuses home folders and their dot-folders, but not a plain folder in a home', () => {
    assert.match(refused('/home').reason, /every user's home folder/);
    assert.match(refused('/home/alice').reason, /is the home folder "\/home\/alice"/);
    assert.match(refused('/home/alice/.ssh').reason, /is the dot-folder "\/home\/alice\/.ssh" of a home folder/);
    assert.match(refused('/home/alice/.config/autostart').reason, /is inside the dot-folder "\/home\/alice\/.config"/);
    refused('/home/alice/.bashrc');
    refused('/home/.hidden-user');
    allowed('/home/alice/work/.git'); // a dot-folder deeper down is the project's, not the login's
    // The suggestion is a safe place without the leading dot.
    assert.equal(refused('/home/alice/.ssh').suggestion, 'use a dedicated folder, e.g. "/srv/ssh" or "/mnt/ssh"');
  });
  it('refuses /tmp and /var/tmp themselves (not a dedicated folder below them), the X11 and ICE socket folders, /opt, /var/log', () => {
    assert.match(refused('/tmp').reason, /shared temporary folder itself/);
    assert.match(refused('/var/tmp').reason, /shared temporary folder itself/);
    allowed('/tmp/build');
    allowed('/var/tmp/cache');
    assert.match(refused('/tmp/.X11-unix').reason, /protected path "\/tmp\/.X11-unix"/);
    assert.match(refused('/tmp/.X11-unix/X0').reason, /inside the protected path "\/tmp\/.X11-unix"/);
    refused('/tmp/.ICE-unix');
    assert.match(refused('/opt').reason, /protected path "\/opt"/);
    refused('/opt/containerd/bin');
    assert.match(refused('/var/log').reason, /protected path "\/var\/log"/);
    refused('/var/log/nginx');
    for (const p of ['/tmp', '/var/tmp', '/home', '/opt', '/var/log']) assert.match(refused(p).suggestion, /^use a dedicated folder, e\.g\. "\/(srv|mnt)\//);
  });
  it('Tether\'s own code, data folder, database file and key file, wherever they live (as the server passes them)', () => {
    const tether = { extraDenied: ['/srv/apps/tether', '/data/tether', '/mnt/db/tether.db', '/mnt/keys/secret.key'], allowedRoots: [] };
    refused('/srv/apps/tether/dist', tether);
    assert.match(refused('/srv/apps', tether).reason, /contains the protected path "\/srv\/apps\/tether"/);
    refused('/data/tether', tether);
    assert.match(refused('/mnt/db', tether).reason, /contains the protected path "\/mnt\/db\/tether.db"/);
    refused('/mnt/keys', tether);
    allowed('/mnt/share', tether);
    allowed('/srv/users', tether);
  });
  it('suggests a safe place', () => {
    assert.equal(refused('/etc/app').suggestion, 'use a dedicated folder, e.g. "/srv/app" or "/mnt/app"');
    // Never suggests a place the same policy would refuse.
    assert.equal(refused('/srv/tether', { extraDenied: ['/srv/tether', '/mnt/tether'], allowedRoots: [] }).suggestion, 'use a dedicated folder, e.g. "/srv/shares/tether" or "/mnt/shares/tether"');
  });
});

describe('extraDenied and allowedRoots', () => {
  const policy = { extraDenied: ['/srv/tether-data/', '/var/run/docker.sock', '/data/docker'], allowedRoots: [] };
  it('extra entries follow the same rules', () => {
    refused('/srv/tether-data', policy);
    refused('/srv/tether-data/db', policy);
    assert.match(refused('/srv', policy).reason, /contains the protected path "\/srv\/tether-data"/);
    refused('/data', policy);
    allowed('/srv/other', policy);
    allowed('/data/dockers', policy);
  });
  it('entries that are not clean absolute paths ("", "relative") refuse nothing more, as in the first version', () => {
    for (const extraDenied of [[''], ['relative'], ['', 'relative', 'a/b']]) {
      const odd = { extraDenied, allowedRoots: [] };
      for (const p of ['/srv/data', '/mnt/share', '/a', '/relative', '/a/b']) allowed(p, odd);
      // The defaults still hold.
      assert.match(refused('/etc/x', odd).reason, /is inside the protected path "\/etc"/);
      assert.match(refused('/', odd).reason, /protected path "\/"/);
      assert.match(refused('/var', odd).reason, /contains the protected path "\/var\/lib"/);
    }
  });
  it('an allowlist confines host paths to its roots (the root itself included)', () => {
    const roots = { extraDenied: [], allowedRoots: ['/mnt/shares', '/srv/users/'] };
    allowed('/mnt/shares', roots);
    allowed('/srv/users/alice', roots);
    const verdict = refused('/var/kasm_user_share', roots);
    assert.match(verdict.reason, /outside the allowed roots \("\/mnt\/shares", "\/srv\/users"\)/);
    assert.match(verdict.suggestion, /"\/mnt\/shares\/kasm_user_share"/);
    refused('/mnt/sharesx', roots);
    // The deny-list still applies inside an allowed root.
    refused('/etc/x', { extraDenied: [], allowedRoots: ['/etc'] });
  });
});

describe('binds onto the container\'s /proc, /sys, /dev, /etc', () => {
  it('bindRefusal refuses them and everything below, nothing else', () => {
    for (const b of ['/proc', '/sys/fs/cgroup', '/dev', '/dev/shm', '/etc', '/etc/ssh']) assert.match(bindRefusal(b) ?? '', /is refused: it would cover/, b);
    for (const b of ['/share', '/etcetera', '/procs', '/home/kasm-user/etc', '/devices']) assert.equal(bindRefusal(b), null, b);
  });
  it('are refused at save naming the key, and at launch when a token makes one', () => {
    const result = parseMappingDocument('{"/srv/a": {"bind": "/etc/cron.d"}, "/srv/b": {"bind": "/{username}"}}');
    assert.ok(!result.ok);
    assert.deepEqual(result.errors.map((e) => e.location), ['"/srv/a".bind']);
    const ok = doc('{"/srv/b": {"bind": "/{username}"}}');
    const image = { name: 'img', volume_mappings: ok };
    const tokens = { user_id: '0b6c3a52-6f1e-4d8e-9a53-2f1c7d9e4a10', image_id: '5d2f8e1a-3b4c-4d5e-8f60-718293a4b5c6' };
    assert.deepEqual(resolveEffectiveMounts({ image, groups: [], tokens: { ...tokens, username: 'alice' } }).mounts.map((m) => m.bind), ['/alice']);
    // Twice: the second call goes through the prepared plan, which must refuse too.
    for (let i = 0; i < 2; i++) {
      assert.throws(() => resolveEffectiveMounts({ image, groups: [], tokens: { ...tokens, username: 'etc' } }), (err: unknown) => {
        assert.ok(err instanceof MappingDomainError);
        assert.equal(err.code, 'policy');
        assert.match(err.message, /^image "img" "\/srv\/b"\.bind: bind "\/etc" is refused/);
        return true;
      });
    }
  });
});

describe('checkDocumentPolicy (save time)', () => {
  it('reports each refused key with its location', () => {
    const errors = checkDocumentPolicy(doc('{"/etc": {"bind": "/a"}, "/srv/ok": {"bind": "/b"}, "/var": {"bind": "/c"}}'), DEFAULT_POLICY);
    assert.deepEqual(errors.map((e) => e.location), ['"/etc"', '"/var"']);
    assert.match(errors[1]!.message, /contains the protected path "\/var\/lib".*use a dedicated folder/);
  });
  it('checks a template\'s fixed prefix and the template with tokens as opaque names', () => {
    const errors = checkDocumentPolicy(doc('{"/var/{username}": {"bind": "/a"}, "/{username}": {"bind": "/b"}, "/mnt/profiles/{username}": {"bind": "/c"}, "/var/lib{username}": {"bind": "/d"}, "/home/{username}/work": {"bind": "/e"}, "/tmp/{username}": {"bind": "/f"}}'), DEFAULT_POLICY);
    // "/home/{username}/work" and "/tmp/{username}": a username may be ".ssh" or ".X11-unix", so the fixed prefix decides.
    assert.deepEqual(errors.map((e) => e.location), ['"/var/{username}"', '"/{username}"', '"/var/lib{username}"', '"/home/{username}/work"', '"/tmp/{username}"']);
    assert.match(errors[0]!.message, /fixed prefix/);
    const roots = { extraDenied: [], allowedRoots: ['/mnt/profiles'] };
    assert.deepEqual(checkDocumentPolicy(doc('{"/mnt/profiles/{username}": {"bind": "/c"}}'), roots), []);
    assert.equal(checkDocumentPolicy(doc('{"/mnt/{username}": {"bind": "/c"}}'), roots).length, 1);
  });
});
