// The one resolver against a plain model of the merge rules (spec section 5), for random
// documents built from a tiny alphabet so that templates meet often (a username equal to a
// literal folder, a user id written out in another path, shared host paths with different
// owners): same view, same templates, and an error exactly when the model finds one.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  bindRefusal, checkHostPath, expandTokens, parseMappingDocument, resolveEffectiveMounts, resolveWithTemplates,
  type EffectiveMount, type EffectiveMountsView, type HostPathPolicy, type MappingDocument, type MountSource, type TokenContext,
} from './index.js';

const USER_IDS = ['0b6c3a52-6f1e-4d8e-9a53-2f1c7d9e4a10', '5d2f8e1a-3b4c-4d5e-8f60-718293a4b5c6'];
const IMAGE_ID = '11111111-2222-4333-8444-555555555555';
const USERNAMES = ['a', 'b', 'alice', 'a-b', 'zz', 'etc'];
// Literal segments include the values above, so a literal path can equal an expanded one.
const segment = fc.constantFrom('a', 'b', 'alice', 'a-b', 'zz', 'home', USER_IDS[0]!, IMAGE_ID, '{username}', '{user_id}', '{image_id}', 'p-{username}', '{username}-b');
const path = fc.array(segment, { minLength: 1, maxLength: 3 }).map((parts) => `/${parts.join('/')}`);
const owner = fc.constantFrom(undefined, 1000, 1001);
const mapping = fc.record({ host: path, bind: path, uid: owner, gid: owner, mode: fc.constantFrom('rw', 'ro') });
const documentArb = fc.array(mapping, { maxLength: 6 }).map((entries) => {
  // Keep the first of each host path and each bind, as a valid document must.
  const doc: Record<string, unknown> = {};
  const binds = new Set<string>();
  for (const e of entries) {
    if (e.host in doc || binds.has(e.bind)) continue;
    binds.add(e.bind);
    doc[e.host] = { bind: e.bind, mode: e.mode, ...(e.uid === undefined ? {} : { uid: e.uid }), ...(e.gid === undefined ? {} : { gid: e.gid }) };
  }
  return doc;
});
const caseArb = fc.record({
  image: documentArb,
  groups: fc.array(fc.record({ doc: documentArb, priority: fc.integer({ min: 1, max: 4 }) }), { maxLength: 4 }),
  deny: fc.constantFrom(null, ['/a/alice'], ['/b'], ['/zz/a-b/home']),
});

function parsed(value: unknown): MappingDocument {
  const result = parseMappingDocument(value);
  assert.ok(result.ok, JSON.stringify(result));
  return result.document;
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

interface Entry { rank: number; key: string; mount: EffectiveMount }

/** The merge rules written as plainly as possible: expand everything, sort by precedence, first claim wins. */
function model(image: { name: string; volume_mappings: MappingDocument }, groups: Array<{ name: string; priority: number; volume_mappings: MappingDocument }>, tokens: TokenContext, policy?: HostPathPolicy): { view: EffectiveMountsView; templates: string[] } | 'error' {
  const sorted = [...groups].sort((a, b) => a.priority - b.priority || cmp(a.name, b.name));
  const sources: Array<{ source: MountSource; doc: MappingDocument }> = [
    { source: { kind: 'image', name: image.name, priority: null }, doc: image.volume_mappings },
    ...sorted.map((g) => ({ source: { kind: 'group' as const, name: g.name, priority: g.priority }, doc: g.volume_mappings })),
  ];
  const entries: Entry[] = [];
  try {
    sources.forEach(({ source, doc }, rank) => {
      for (const [key, spec] of Object.entries(doc)) {
        const host_path = expandTokens(key, tokens);
        const bind = expandTokens(spec.bind, tokens);
        if (bindRefusal(bind) !== null) throw new Error('bind refused');
        if (policy && !checkHostPath(host_path, policy).ok) throw new Error('policy');
        entries.push({ rank, key, mount: { host_path, bind, mode: spec.mode, uid: spec.uid ?? null, gid: spec.gid ?? null, required: spec.required, timeout: spec.timeout, skip_check: spec.skip_check, source } });
      }
    });
  } catch {
    return 'error';
  }
  // Per bind, in precedence order (sources by rank, a document's keys in their order): the
  // winner is the first source's smallest key; the others are shadowed, listed in that order.
  const byBind = new Map<string, Entry[]>();
  for (const e of entries) byBind.set(e.mount.bind, [...(byBind.get(e.mount.bind) ?? []), e]);
  const binds = [...byBind.keys()].sort(cmp);
  const winnerOf = (list: Entry[]): Entry => list.filter((e) => e.rank === list[0]!.rank).sort((a, b) => cmp(a.key, b.key))[0]!;
  const winners = binds.map((b) => winnerOf(byBind.get(b)!));
  const shadowed = binds.flatMap((b, i) => byBind.get(b)!.filter((e) => e !== winners[i]).map((l) => ({ ...l.mount, shadowed_by: winners[i]!.mount.source })));
  const byHost = new Map<string, Entry[]>();
  for (const w of winners) byHost.set(w.mount.host_path, [...(byHost.get(w.mount.host_path) ?? []), w]);
  const conflicts = [...byHost.entries()]
    .filter(([, list]) => list.some((e) => e.mount.uid !== list[0]!.mount.uid || e.mount.gid !== list[0]!.mount.gid))
    .sort(([a], [b]) => cmp(a, b))
    .map(([host_path, list]) => {
      const ordered = [...list].sort((a, b) => a.rank - b.rank || cmp(a.mount.bind, b.mount.bind) || cmp(a.key, b.key));
      const first = ordered[0]!.mount;
      return { host_path, mounts: ordered.map(({ mount: m }) => ({ bind: m.bind, uid: m.uid, gid: m.gid, source: m.source })), applied: { uid: first.uid, gid: first.gid, source: first.source } };
    });
  return { view: { mounts: winners.map((w) => w.mount), shadowed, conflicts }, templates: winners.map((w) => w.key) };
}

describe('resolving effective mounts', () => {
  it('gives exactly the view of the plain model of the merge rules, or an error exactly when the model fails, user after user', () => {
    let resolved = 0;
    let refused = 0;
    fc.assert(fc.property(caseArb, ({ image, groups, deny }) => {
      const input = { image: { name: 'img', volume_mappings: parsed(image) }, groups: groups.map((g, i) => ({ name: `g${i}`, priority: g.priority, volume_mappings: parsed(g.doc) })) };
      const policy: HostPathPolicy | undefined = deny ? { extraDenied: [...deny], allowedRoots: [] } : undefined;
      for (const username of USERNAMES) {
        for (const user_id of USER_IDS) {
          const tokens = { username, user_id, image_id: IMAGE_ID };
          const expected = model(input.image, input.groups, tokens, policy);
          if (expected === 'error') {
            refused++;
            assert.throws(() => resolveWithTemplates({ ...input, tokens, ...(policy ? { policy } : {}) }));
            continue;
          }
          resolved++;
          const actual = resolveWithTemplates({ ...input, tokens, ...(policy ? { policy } : {}) });
          assert.deepEqual(actual, expected);
          // each mount's template is the key it came from: it expands to the mount's host path
          actual.view.mounts.forEach((m, i) => assert.equal(expandTokens(actual.templates[i]!, tokens), m.host_path));
        }
      }
    }), { numRuns: 300 });
    // Both outcomes were exercised.
    assert.ok(resolved > 1000, `resolved ${resolved}`);
    assert.ok(refused > 100, `refused ${refused}`);
  });

  it('returns plain values: the caller may change a document or a view without affecting the next call', () => {
    const doc = parsed({ '/srv/a': { bind: '/a' } });
    assert.ok(!Object.isFrozen(doc));
    const input = { image: { name: 'i', volume_mappings: doc }, groups: [], tokens: { username: 'a', user_id: USER_IDS[0]!, image_id: IMAGE_ID } };
    const first = resolveEffectiveMounts(input);
    first.mounts[0]!.source.name = 'changed';
    doc['/srv/b'] = { ...doc['/srv/a']!, bind: '/b' };
    assert.deepEqual(resolveEffectiveMounts(input).mounts.map((m) => [m.bind, m.source.name]), [['/a', 'i'], ['/b', 'i']]);
  });

  it('a username equal to a literal folder makes two binds meet: the image still wins', () => {
    const image = { name: 'img', volume_mappings: parsed({ '/srv/{username}': { bind: '/home/{username}' } }) };
    const groups = [{ name: 'g', priority: 1, volume_mappings: parsed({ '/srv/kasm': { bind: '/home/kasm' } }) }];
    const tokens = { username: 'kasm', user_id: USER_IDS[0]!, image_id: IMAGE_ID };
    const view = resolveEffectiveMounts({ image, groups, tokens });
    assert.deepEqual(view.mounts.map((m) => [m.bind, m.host_path, m.source.kind]), [['/home/kasm', '/srv/kasm', 'image']]);
    assert.deepEqual(view.shadowed.map((m) => [m.bind, m.source.kind, m.shadowed_by.kind]), [['/home/kasm', 'group', 'image']]);
    // Another user: the two no longer meet, both are mounted, in bind order.
    const other = resolveEffectiveMounts({ image, groups, tokens: { ...tokens, username: 'alice' } });
    assert.deepEqual(other.mounts.map((m) => m.bind), ['/home/alice', '/home/kasm']);
  });
});
