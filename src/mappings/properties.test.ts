// Property-based tests (fast-check): random documents, hostile names and paths, permutations.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  checkHostPath, DEFAULT_DENIED_PATHS, DEFAULT_POLICY, expandTokens, fixedPrefix, MappingDomainError, parseMappingDocument,
  resolveEffectiveMounts, validateUsername, type MappingDocument,
} from './index.js';
import { expandSimple } from './expand-simple.js';

const RUNS = { numRuns: 250 };
const uuid = fc.uuid();
const segment = fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9._@+-]{0,11}$/);
const tokenOrSegment = fc.oneof({ weight: 4, arbitrary: segment }, { weight: 1, arbitrary: fc.constantFrom('{username}', '{user_id}', '{image_id}', 'p-{username}') });
const slashes = fc.constantFrom('/', '/', '/', '//', '///');
/** An absolute path, possibly with repeated and trailing slashes (valid after normalization). */
const messyPath = (part: fc.Arbitrary<string>) =>
  fc.tuple(fc.array(fc.tuple(slashes, part), { minLength: 1, maxLength: 5 }), fc.constantFrom('', '/', '//')).map(([parts, tail]) => parts.map(([s, p]) => s + p).join('') + tail);
const clean = (path: string) => path.replace(/\/+/g, '/').replace(/(.)\/$/, '$1');
const spec = fc.record(
  { mode: fc.constantFrom('rw', 'ro'), uid: fc.integer({ min: 0, max: 2147483647 }), gid: fc.integer({ min: 0, max: 2147483647 }), required: fc.boolean(), timeout: fc.double({ min: 0.001, max: 600, noNaN: true }), skip_check: fc.boolean() },
  { requiredKeys: [] },
);
/** A valid raw document: unique normalized host paths and unique normalized binds. */
const validDoc = fc
  .uniqueArray(fc.record({ host: messyPath(tokenOrSegment), bind: messyPath(tokenOrSegment), spec }), {
    maxLength: 6,
    selector: (e) => clean(e.host),
  })
  .filter((entries) => new Set(entries.map((e) => clean(e.bind))).size === entries.length)
  .map((entries) => Object.fromEntries(entries.map((e) => [e.host, { bind: e.bind, ...e.spec }])));

function parsedOk(value: unknown): MappingDocument {
  const result = parseMappingDocument(value);
  assert.ok(result.ok, JSON.stringify(result));
  return result.document;
}

describe('properties: documents', () => {
  it('random valid documents are accepted and normalizing is idempotent (text and value)', () => {
    fc.assert(fc.property(validDoc, (raw) => {
      const doc = parsedOk(JSON.stringify(raw));
      assert.deepEqual(parsedOk(raw), doc);
      assert.deepEqual(parsedOk(JSON.stringify(doc)), doc);
      assert.deepEqual(parsedOk(doc), doc);
      for (const [host, s] of Object.entries(doc)) {
        assert.doesNotMatch(host, /\/\/|.\/$/);
        assert.doesNotMatch(s.bind, /\/\/|.\/$/);
        assert.equal(typeof s.required, 'boolean');
      }
    }), RUNS);
  });

  const breakers: Array<[string, (s: Record<string, unknown>) => void, RegExp]> = [
    ['uid string', (s) => { s.uid = '1000'; }, /\.uid$/],
    ['uid fraction', (s) => { s.uid = 1000.5; }, /\.uid$/],
    ['gid negative', (s) => { s.gid = -1; }, /\.gid$/],
    ['gid too big', (s) => { s.gid = 2147483648; }, /\.gid$/],
    ['uid boolean', (s) => { s.uid = true; }, /\.uid$/],
    ['mode', (s) => { s.mode = 'RO'; }, /\.mode$/],
    ['required string', (s) => { s.required = 'yes'; }, /\.required$/],
    ['skip_check number', (s) => { s.skip_check = 0; }, /\.skip_check$/],
    ['timeout zero', (s) => { s.timeout = 0; }, /\.timeout$/],
    ['timeout too long', (s) => { s.timeout = 600.5; }, /\.timeout$/],
    ['timeout string', (s) => { s.timeout = '10'; }, /\.timeout$/],
    ['unknown key', (s) => { s.reqired = true; }, /\.reqired$/],
    ['bind relative', (s) => { s.bind = 'share'; }, /\.bind$/],
    ['bind dotdot', (s) => { s.bind = `${String(s.bind)}/../x`; }, /\.bind$/],
    ['bind root', (s) => { s.bind = '//'; }, /\.bind$/],
    ['bind NUL', (s) => { s.bind = `${String(s.bind)}\0`; }, /\.bind$/],
    ['bind unknown token', (s) => { s.bind = `${String(s.bind)}/{usrname}`; }, /\.bind$/],
    ['bind missing', (s) => { delete s.bind; }, /\.bind$/],
  ];
  it('a valid document broken by any one rule is never accepted, and the error points at the broken place', () => {
    fc.assert(fc.property(validDoc.filter((d) => Object.keys(d).length > 0), fc.nat(), fc.constantFrom(...breakers), (raw, pick, [, breakIt, where]) => {
      const keys = Object.keys(raw);
      const key = keys[pick % keys.length]!;
      const broken = structuredClone(raw) as Record<string, Record<string, unknown>>;
      breakIt(broken[key]!);
      const result = parseMappingDocument(JSON.stringify(broken));
      assert.equal(result.ok, false);
      if (!result.ok) assert.ok(result.errors.some((e) => e.location.startsWith(JSON.stringify(key)) && where.test(e.location)), JSON.stringify(result.errors));
    }), RUNS);
  });

  it('hostile host paths are rejected unless they are safe literal names', () => {
    const piece = fc.constantFrom('..', '.', 'a', '%2e%2e', '\uFF0F', '\u2024\u2024', '\0', '\n', '{username}', '{usrname}', '{', '}', '~', ' ');
    const hostile = fc.array(fc.tuple(fc.constantFrom('/', '', '//'), piece), { minLength: 1, maxLength: 6 }).map((parts) => parts.map(([s, p]) => s + p).join(''));
    fc.assert(fc.property(hostile, (host) => {
      const result = parseMappingDocument({ [host]: { bind: '/x' } });
      if (!result.ok) return;
      const [key] = Object.keys(result.document) as [string];
      assert.ok(key.startsWith('/'));
      assert.ok(!key.split('/').some((s) => s === '.' || s === '..'), key);
      assert.ok(!/[\0\n]/.test(key) && !/\{(?!username\}|user_id\}|image_id\})/.test(key), key);
    }), RUNS);
  });
});

describe('properties: expansion never escapes', () => {
  const hostileName = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 80 }),
    fc.constantFrom('..', '.', '/', '../', '../../etc', '%2e%2e', '%2e%2e%2f', '\0', 'a\0b', '\uFF0F', '\uFF0E\uFF0E', '\u2024\u2024', '..\uFF0F..', 'x'.repeat(4096), '', ' ', 'a/b'),
    fc.stringMatching(/^[A-Za-z0-9._@+-]{1,70}$/),
  );
  const template = messyPath(tokenOrSegment).map(clean).filter((t) => t !== '/');
  it('expandTokens either refuses the values or stays inside the fixed prefix', () => {
    fc.assert(fc.property(template, hostileName, uuid, uuid, (t, username, userId, imageId) => {
      let out: string;
      try {
        out = expandTokens(t, { username, user_id: userId, image_id: imageId });
      } catch (error) {
        assert.ok(error instanceof MappingDomainError);
        assert.equal(error.code, 'invalid_token_value');
        assert.notEqual(validateUsername(username), null);
        return;
      }
      const prefix = fixedPrefix(t);
      assert.ok(out === prefix || out.startsWith(prefix === '/' ? '/' : `${prefix}/`), `${out} escaped ${prefix}`);
      assert.ok(!out.split('/').slice(1).some((s) => s === '' || s === '.' || s === '..'), out);
    }), RUNS);
  });
  it('the simple-template expansion used when merging agrees with expandTokens or defers to the full checks', () => {
    const piece = fc.constantFrom('a', '..', '.', '{username}', '{user_id}', '{image_id}', '{usrname}', '{', '}', 'é', '\0', '%2e', '');
    const anyTemplate = fc.array(fc.tuple(fc.constantFrom('/', '//', ''), piece), { maxLength: 6 }).map((ps) => ps.map(([a, b]) => a + b).join(''));
    fc.assert(fc.property(anyTemplate, fc.stringMatching(/^[A-Za-z0-9._@+-]{1,20}$/).filter((u) => u !== '.' && u !== '..'), uuid, uuid, (t, username, userId, imageId) => {
      const fast = expandSimple(t, { username, user_id: userId.toLowerCase(), image_id: imageId.toLowerCase() });
      if (fast === null) return;
      assert.equal(fast, expandTokens(t, { username, user_id: userId, image_id: imageId }));
    }), RUNS);
  });
  it('resolveEffectiveMounts gives the same guarantee for every mount', () => {
    fc.assert(fc.property(validDoc, hostileName, uuid, uuid, (raw, username, userId, imageId) => {
      const doc = parsedOk(raw);
      let mounts;
      try {
        mounts = resolveEffectiveMounts({ image: { name: 'i', volume_mappings: doc }, groups: [], tokens: { username, user_id: userId, image_id: imageId } }).mounts;
      } catch (error) {
        assert.ok(error instanceof MappingDomainError && error.code === 'invalid_token_value');
        return;
      }
      const templates = Object.entries(doc);
      for (const m of mounts) {
        const [hostTemplate, s] = templates.find(([, v]) => m.bind === expandTokens(v.bind, { username, user_id: userId, image_id: imageId }))!;
        for (const [path, tpl] of [[m.host_path, hostTemplate], [m.bind, s.bind]] as const) {
          const prefix = fixedPrefix(tpl);
          assert.ok(path === prefix || path.startsWith(prefix === '/' ? '/' : `${prefix}/`));
          assert.ok(!path.split('/').slice(1).some((x) => x === '' || x === '.' || x === '..'), path);
        }
      }
    }), RUNS);
  });
});

describe('properties: merging', () => {
  const binds = fc.constantFrom('/a', '/b', '/c', '/home/{username}', '/d/{image_id}');
  const groupDoc = fc.uniqueArray(fc.record({ host: fc.constantFrom('/srv/1', '/srv/2', '/srv/{username}', '/mnt/x', '/mnt/y'), bind: binds, uid: fc.option(fc.constantFrom(0, 1000)) }), { maxLength: 4, selector: (e) => e.host })
    .filter((es) => new Set(es.map((e) => e.bind)).size === es.length)
    .map((es) => parsedOk(Object.fromEntries(es.map((e) => [e.host, e.uid === null ? { bind: e.bind } : { bind: e.bind, uid: e.uid }]))));
  const groups = fc.uniqueArray(fc.record({ name: fc.constantFrom('devs', 'ops', 'All Users', 'Administrators', 'qa'), priority: fc.integer({ min: 1, max: 1000 }), volume_mappings: groupDoc }), { maxLength: 6, selector: (g) => g.priority });
  it('is deterministic whatever the order of groups', () => {
    fc.assert(fc.property(groupDoc, groups, fc.array(fc.nat(), { minLength: 6, maxLength: 6 }), uuid, uuid, (imageDoc, gs, order, userId, imageId) => {
      const tokens = { username: 'alice', user_id: userId, image_id: imageId };
      const shuffled = gs.map((g, i) => ({ g, k: order[i]! })).sort((a, b) => a.k - b.k).map((x) => x.g);
      const a = resolveEffectiveMounts({ image: { name: 'img', volume_mappings: imageDoc }, groups: gs, tokens });
      const b = resolveEffectiveMounts({ image: { name: 'img', volume_mappings: imageDoc }, groups: [...shuffled].reverse(), tokens });
      assert.deepEqual(b, a);
      // Every mapping ends up exactly once: mounted or shadowed.
      const total = Object.keys(imageDoc).length + gs.reduce((n, g) => n + Object.keys(g.volume_mappings).length, 0);
      assert.equal(a.mounts.length + a.shadowed.length, total);
      assert.equal(new Set(a.mounts.map((m) => m.bind)).size, a.mounts.length);
      // Every shadowed mapping lost to a source of higher precedence.
      const rank = (s: { kind: string; priority: number | null }) => (s.kind === 'image' ? -1 : s.priority!);
      for (const s of a.shadowed) assert.ok(rank(s.shadowed_by) <= rank(s.source));
    }), RUNS);
  });
});

describe('properties: policy', () => {
  const suffix = fc.array(segment, { minLength: 1, maxLength: 3 }).map((s) => `/${s.join('/')}`);
  it('refuses every deny-listed path, its descendants and its ancestors, however written', () => {
    const denied = DEFAULT_DENIED_PATHS.filter((d) => d !== '/');
    fc.assert(fc.property(fc.constantFrom(...denied), suffix, fc.constantFrom('', '/', '//'), (d, tail, trailing) => {
      assert.equal(checkHostPath(d + trailing, DEFAULT_POLICY).ok, false);
      assert.equal(checkHostPath(d.replace(/\//g, '//') + tail + trailing, DEFAULT_POLICY).ok, false);
      for (let cut = d.lastIndexOf('/'); cut >= 0; cut = d.lastIndexOf('/', cut - 1)) {
        assert.equal(checkHostPath(d.slice(0, cut) || '/', DEFAULT_POLICY).ok, false);
        if (cut === 0) break;
      }
      assert.equal(checkHostPath(`${d}/../x`, DEFAULT_POLICY).ok, false);
    }), RUNS);
  });
  it('extra denied paths and allowlists follow the same rules', () => {
    fc.assert(fc.property(suffix, suffix, (root, tail) => {
      const extra = `/srv${root}`;
      const policy = { extraDenied: [extra], allowedRoots: [] };
      assert.equal(checkHostPath(extra + tail, policy).ok, false);
      assert.equal(checkHostPath('/srv', policy).ok, false);
      const allow = { extraDenied: [], allowedRoots: [`/mnt${root}`] };
      assert.equal(checkHostPath(`/mnt${root}${tail}`, allow).ok, true);
      assert.equal(checkHostPath(`/srv${tail}`, allow).ok, false);
    }), RUNS);
  });
});
