import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkDocumentPolicy, checkHostPath, DEFAULT_DENIED_PATHS, DEFAULT_POLICY, parseMappingDocument, type MappingDocument } from './index.js';

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
    assert.deepEqual([...DEFAULT_DENIED_PATHS].sort(), ['/', '/bin', '/boot', '/dev', '/etc', '/lib', '/lib32', '/lib64', '/libx32', '/proc', '/root', '/run', '/sbin', '/sys', '/usr', '/var/lib', '/var/run', '/var/spool'].sort());
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
    for (const p of ['/var/kasm_user_share', '/var/kasm_user_share1', '/mnt/share', '/srv/data', '/var/libx', '/etcetera', '/home/alice', '/usrdata']) allowed(p);
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

describe('checkDocumentPolicy (save time)', () => {
  it('reports each refused key with its location', () => {
    const errors = checkDocumentPolicy(doc('{"/etc": {"bind": "/a"}, "/srv/ok": {"bind": "/b"}, "/var": {"bind": "/c"}}'), DEFAULT_POLICY);
    assert.deepEqual(errors.map((e) => e.location), ['"/etc"', '"/var"']);
    assert.match(errors[1]!.message, /contains the protected path "\/var\/lib".*use a dedicated folder/);
  });
  it('checks a template\'s fixed prefix and the template with tokens as opaque names', () => {
    const errors = checkDocumentPolicy(doc('{"/var/{username}": {"bind": "/a"}, "/{username}": {"bind": "/b"}, "/mnt/profiles/{username}": {"bind": "/c"}, "/var/lib{username}": {"bind": "/d"}}'), DEFAULT_POLICY);
    assert.deepEqual(errors.map((e) => e.location), ['"/var/{username}"', '"/{username}"', '"/var/lib{username}"']);
    assert.match(errors[0]!.message, /fixed prefix/);
    const roots = { extraDenied: [], allowedRoots: ['/mnt/profiles'] };
    assert.deepEqual(checkDocumentPolicy(doc('{"/mnt/profiles/{username}": {"bind": "/c"}}'), roots), []);
    assert.equal(checkDocumentPolicy(doc('{"/mnt/{username}": {"bind": "/c"}}'), roots).length, 1);
  });
});
