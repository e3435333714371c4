import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MappingDomainError, mappingsDigest, parseMappingDocument, resolveEffectiveMounts, type MappingDocument } from './index.js';

const tokens = { username: 'alice', user_id: '0b6c3a52-6f1e-4d8e-9a53-2f1c7d9e4a10', image_id: '5d2f8e1a-3b4c-4d5e-8f60-718293a4b5c6' };
function doc(value: unknown): MappingDocument {
  const result = parseMappingDocument(value);
  assert.ok(result.ok, JSON.stringify(result));
  return result.document;
}
const image = (value: unknown) => ({ name: 'desktop', volume_mappings: doc(value) });
const group = (name: string, priority: number, value: unknown) => ({ name, priority, volume_mappings: doc(value) });
const IMAGE = { kind: 'image', name: 'desktop', priority: null };

describe('resolveEffectiveMounts', () => {
  it('expands tokens and lists every mount with its source', () => {
    const view = resolveEffectiveMounts({
      image: image({ '/mnt/profiles/{username}/{image_id}': { bind: '/home/{username}' } }),
      groups: [group('devs', 10, { '/srv/tools': { bind: '/tools', mode: 'ro', uid: 1000 } })],
      tokens,
    });
    assert.deepEqual(view, {
      mounts: [
        { host_path: '/mnt/profiles/alice/5d2f8e1a-3b4c-4d5e-8f60-718293a4b5c6', bind: '/home/alice', mode: 'rw', uid: null, gid: null, required: true, timeout: 10, skip_check: false, source: IMAGE },
        { host_path: '/srv/tools', bind: '/tools', mode: 'ro', uid: 1000, gid: null, required: true, timeout: 10, skip_check: false, source: { kind: 'group', name: 'devs', priority: 10 } },
      ],
      shadowed: [],
      conflicts: [],
    });
  });
  it('the image beats every group; a lower priority number beats a higher one', () => {
    const view = resolveEffectiveMounts({
      image: image({ '/srv/image-share': { bind: '/share' } }),
      groups: [
        group('All Users', 1000, { '/srv/all': { bind: '/share' }, '/srv/all-data': { bind: '/data' } }),
        group('Administrators', 1, { '/srv/admin': { bind: '/share' }, '/srv/admin-data': { bind: '/data' } }),
      ],
      tokens,
    });
    assert.deepEqual(view.mounts.map((m) => [m.bind, m.host_path, m.source.name]), [['/data', '/srv/admin-data', 'Administrators'], ['/share', '/srv/image-share', 'desktop']]);
    assert.deepEqual(view.shadowed.map((m) => [m.bind, m.host_path, m.shadowed_by.name]), [
      ['/data', '/srv/all-data', 'Administrators'],
      ['/share', '/srv/admin', 'desktop'],
      ['/share', '/srv/all', 'desktop'],
    ]);
    assert.deepEqual(view.shadowed[1]!.source, { kind: 'group', name: 'Administrators', priority: 1 });
  });
  it('keys by the expanded bind: a template and a literal can collide', () => {
    const view = resolveEffectiveMounts({
      image: image({ '/srv/a': { bind: '/home/alice' } }),
      groups: [group('g', 5, { '/srv/{username}': { bind: '/home/{username}' } })],
      tokens,
    });
    assert.equal(view.mounts.length, 1);
    assert.equal(view.shadowed[0]!.host_path, '/srv/alice');
  });
  it('the same host path at two binds is allowed; disagreeing uid/gid is flagged, winner applied', () => {
    const view = resolveEffectiveMounts({
      image: image({ '/srv/shared': { bind: '/a', uid: 1000, gid: 1000 } }),
      groups: [group('g', 5, { '/srv/shared': { bind: '/b', uid: 0, gid: 0 } }), group('h', 6, { '/srv/shared': { bind: '/c', uid: 1000, gid: 1000 } })],
      tokens,
    });
    assert.equal(view.mounts.length, 3);
    assert.deepEqual(view.conflicts, [{
      host_path: '/srv/shared',
      mounts: [
        { bind: '/a', uid: 1000, gid: 1000, source: IMAGE },
        { bind: '/b', uid: 0, gid: 0, source: { kind: 'group', name: 'g', priority: 5 } },
        { bind: '/c', uid: 1000, gid: 1000, source: { kind: 'group', name: 'h', priority: 6 } },
      ],
      applied: { uid: 1000, gid: 1000, source: IMAGE },
    }]);
    const agree = resolveEffectiveMounts({ image: image({ '/srv/s': { bind: '/a', uid: 1 } }), groups: [group('g', 5, { '/srv/s': { bind: '/b', uid: 1 } })], tokens });
    assert.deepEqual(agree.conflicts, []);
  });
  it('throws naming the source and key when a value or policy check fails', () => {
    assert.throws(() => resolveEffectiveMounts({ image: image({}), groups: [], tokens: { ...tokens, username: '../root' } }), (e: unknown) => e instanceof MappingDomainError && e.code === 'invalid_token_value');
    assert.throws(
      () => resolveEffectiveMounts({ image: image({}), groups: [group('ops', 3, { '/srv/{username}': { bind: '/x' } })], tokens, policy: { extraDenied: ['/srv/alice'], allowedRoots: [] } }),
      (e: unknown) => e instanceof MappingDomainError && e.code === 'policy' && e.location === 'group "ops" (priority 3) "/srv/{username}"',
    );
    // An unnormalized or hostile document that bypassed parsing is still caught.
    const raw = { '/srv/../etc': { bind: '/x', mode: 'rw', required: true, timeout: 10, skip_check: false } } as MappingDocument;
    assert.throws(() => resolveEffectiveMounts({ image: { name: 'i', volume_mappings: raw }, groups: [], tokens }), (e: unknown) => e instanceof MappingDomainError && e.code === 'invalid_template' && /image "i" "\/srv\/\.\.\/etc"/.test(e.message));
    const sloppy = { '/srv//x/': { bind: '/y/', mode: 'rw', required: true, timeout: 10, skip_check: false } } as MappingDocument;
    assert.deepEqual(resolveEffectiveMounts({ image: { name: 'i', volume_mappings: sloppy }, groups: [], tokens }).mounts.map((m) => [m.host_path, m.bind]), [['/srv/x', '/y']]);
  });
  it('accepts legitimate non-ASCII folder names', () => {
    const view = resolveEffectiveMounts({ image: image({ '/srv/données/{username}': { bind: '/données' } }), groups: [], tokens });
    assert.equal(view.mounts[0]!.host_path, '/srv/données/alice');
  });
});

describe('mappingsDigest', () => {
  const base = { image: image({ '/srv/a': { bind: '/a' }, '/srv/b': { bind: '/b', uid: 1 } }), groups: [group('g', 1, { '/srv/c': { bind: '/c' } })], tokens };
  it('is stable and ignores the source of a mount', () => {
    const d = mappingsDigest(resolveEffectiveMounts(base));
    assert.match(d, /^m1:3:[0-9a-f]{16}$/);
    assert.equal(mappingsDigest(resolveEffectiveMounts(base)), d);
    assert.equal(mappingsDigest(resolveEffectiveMounts({ ...base, groups: [group('renamed', 7, { '/srv/c': { bind: '/c' } })] })), d);
  });
  it('changes when what is mounted changes', () => {
    const d = mappingsDigest(resolveEffectiveMounts(base));
    assert.notEqual(mappingsDigest(resolveEffectiveMounts({ ...base, groups: [group('g', 1, { '/srv/c': { bind: '/c', mode: 'ro' } })] })), d);
    assert.notEqual(mappingsDigest(resolveEffectiveMounts({ ...base, tokens: { ...tokens, username: 'bob' }, groups: [group('g', 1, { '/srv/{username}': { bind: '/c' } })] })),
      mappingsDigest(resolveEffectiveMounts({ ...base, groups: [group('g', 1, { '/srv/{username}': { bind: '/c' } })] })));
    assert.notEqual(mappingsDigest(resolveEffectiveMounts({ ...base, groups: [] })), d);
  });
  it('does not depend on the order of the mounts, and its value never changes (digests are stored at launch)', () => {
    const view = resolveEffectiveMounts(base);
    const reversed = { ...view, mounts: [...view.mounts].reverse() };
    assert.equal(mappingsDigest(reversed), mappingsDigest(view));
    // Pinned: a change here would flag every running session as drifted.
    assert.equal(mappingsDigest(view), 'm1:3:9b94d22666a79164');
  });
});
