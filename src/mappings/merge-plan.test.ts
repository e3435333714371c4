// The planned resolution (merge-plan.ts) against the one from scratch (merge-general.ts):
// same view, same error, for random documents built from a tiny alphabet so that templates
// meet often (a username equal to a literal folder, a user id written out in another path,
// shared host paths with different owners), and the runs it relies on (sorted-runs.ts).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  expandTokens, parseMappingDocument, resolveEffectiveMounts, resolveWithTemplates, type HostPathPolicy, type MappingDocument, type Resolution,
} from './index.js';
import { compilePolicy } from './policy.js';
import { resolveGeneral } from './merge-general.js';
import { resolvePlanned } from './merge-plan.js';
import { rankedSources } from './merge-rules.js';
import { encodePath, mergeRuns, sortedRuns } from './sorted-runs.js';
import { compiledTemplate, type TokenTemplate } from './fast-expand.js';

const USER_IDS = ['0b6c3a52-6f1e-4d8e-9a53-2f1c7d9e4a10', '5d2f8e1a-3b4c-4d5e-8f60-718293a4b5c6'];
const IMAGE_ID = '11111111-2222-4333-8444-555555555555';
const USERNAMES = ['a', 'b', 'alice', 'a-b', 'zz'];
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

type Outcome = Resolution | { error: string };
function outcome(run: () => Resolution): Outcome {
  try {
    return run();
  } catch (err) {
    return { error: `${(err as { location?: string }).location ?? ''}: ${(err as Error).message}` };
  }
}

describe('planned resolution', () => {
  it('gives exactly the view (or the error) of the resolution from scratch, call after call, user after user', () => {
    let planned = 0;
    let deferred = 0;
    fc.assert(fc.property(caseArb, ({ image, groups, deny }) => {
      const frozen = { image: { name: 'img', volume_mappings: parsed(image) }, groups: groups.map((g, i) => ({ name: `g${i}`, priority: g.priority, volume_mappings: parsed(g.doc) })) };
      assert.ok(Object.isFrozen(frozen.image.volume_mappings));
      const policy: HostPathPolicy | undefined = deny ? { extraDenied: [...deny], allowedRoots: [] } : undefined;
      // The same documents resolved again with other priorities: the plan must not be reused across them.
      const reprioritized = { ...frozen, groups: frozen.groups.map((g) => ({ ...g, priority: 5 - g.priority })) };
      for (const input of [frozen, reprioritized]) {
        const copies = { image: { ...input.image, volume_mappings: structuredClone(input.image.volume_mappings) }, groups: input.groups.map((g) => ({ ...g, volume_mappings: structuredClone(g.volume_mappings) })) };
        assert.ok(!Object.isFrozen(copies.image.volume_mappings)); // copies are resolved from scratch
        for (const username of USERNAMES) {
          for (const user_id of USER_IDS) {
            const tokens = { username, user_id, image_id: IMAGE_ID };
            const expected = outcome(() => resolveWithTemplates({ ...copies, tokens, policy }));
            assert.deepEqual(outcome(() => resolveWithTemplates({ ...input, tokens, policy })), expected);
            if ('view' in expected) {
              // each mount's template is the key it came from: it expands to the mount's host path
              assert.equal(expected.templates.length, expected.view.mounts.length);
              expected.view.mounts.forEach((m, i) => assert.equal(expandTokens(expected.templates[i]!, tokens), m.host_path));
            }
            const direct = resolvePlanned(
              rankedSources(input.image, input.groups), { username, user_id, image_id: IMAGE_ID },
              policy ? { key: JSON.stringify(policy), check: compilePolicy(policy, { pathsAreClean: true }) } : null,
            );
            if (direct === null) deferred++;
            else {
              planned++;
              assert.deepEqual(direct, expected);
            }
          }
        }
      }
    }), { numRuns: 300 });
    // Both ways were exercised: most calls planned, and templates that met were left to the general merge.
    assert.ok(planned > 1000, `planned ${planned}`);
    assert.ok(deferred > 100, `deferred ${deferred}`);
  });

  it('leaves documents that are not frozen to the resolution from scratch, and frozen ones cannot change', () => {
    const doc = parsed({ '/srv/a': { bind: '/a' } });
    assert.throws(() => { (doc as Record<string, unknown>)['/srv/b'] = { bind: '/b' }; }, TypeError);
    assert.throws(() => { (doc['/srv/a'] as { bind: string }).bind = '/etc'; }, TypeError);
    const loose = structuredClone(doc);
    const sources = rankedSources({ name: 'i', volume_mappings: loose }, []);
    const values = { username: 'a', user_id: USER_IDS[0]!, image_id: IMAGE_ID };
    assert.equal(resolvePlanned(sources, values, null), null);
    assert.equal(resolvePlanned(sources, values, null), null);
    // Frozen: resolved from scratch on first sight, planned from the second on.
    const frozenSources = rankedSources({ name: 'i', volume_mappings: doc }, []);
    assert.equal(resolvePlanned(frozenSources, values, null), null);
    assert.deepEqual(resolvePlanned(frozenSources, values, null)?.view.mounts.map((m) => m.bind), ['/a']);
    assert.deepEqual(resolveGeneral(sources, values, values, null).view.mounts.map((m) => m.bind), ['/a']);
  });

  it('images sharing one frozen document (every "{}" image, as the store hands them out) keep their own plans', () => {
    const shared = parsed({});
    const group = { name: 'g', priority: 1, volume_mappings: parsed({ '/srv/{username}': { bind: '/home/{username}' } }) };
    const images = Array.from({ length: 20 }, (_, i) => ({ name: `image-${i}`, volume_mappings: shared }));
    const values = { username: 'alice', user_id: USER_IDS[0]!, image_id: IMAGE_ID };
    for (let round = 0; round < 3; round++) {
      for (const image of images) {
        const planned = resolvePlanned(rankedSources(image, [group]), values, null);
        if (round === 0) assert.equal(planned, null, `${image.name}: first sight, resolved from scratch`);
        else assert.deepEqual(planned?.view.mounts.map((m) => [m.host_path, m.source.name]), [['/srv/alice', 'g']], `${image.name}, round ${round}`);
      }
    }
  });

  it('a username equal to a literal folder makes two binds meet: the image still wins, as from scratch', () => {
    const image = { name: 'img', volume_mappings: parsed({ '/srv/{username}': { bind: '/home/{username}' } }) };
    const groups = [{ name: 'g', priority: 1, volume_mappings: parsed({ '/srv/kasm': { bind: '/home/kasm' } }) }];
    const tokens = { username: 'kasm', user_id: USER_IDS[0]!, image_id: IMAGE_ID };
    assert.equal(resolvePlanned(rankedSources(image, groups), tokens, null), null);
    const view = resolveEffectiveMounts({ image, groups, tokens });
    assert.deepEqual(view.mounts.map((m) => [m.bind, m.host_path, m.source.kind]), [['/home/kasm', '/srv/kasm', 'image']]);
    assert.deepEqual(view.shadowed.map((m) => [m.bind, m.source.kind, m.shadowed_by.kind]), [['/home/kasm', 'group', 'image']]);
    // Another user: the two no longer meet, both are mounted, in bind order.
    const other = resolveEffectiveMounts({ image, groups, tokens: { ...tokens, username: 'alice' } });
    assert.deepEqual(other.mounts.map((m) => m.bind), ['/home/alice', '/home/kasm']);
  });
});

describe('sorted runs', () => {
  const template = (text: string) => {
    const c = compiledTemplate(text);
    return c === true ? text : (c as TokenTemplate);
  };
  it('cuts the sorted templates where the order depends on the values, and nowhere else', () => {
    const paths = ['/home/kasm', '/home/{username}/a', '/home/{username}/b', '/data', '/home/{user_id}', '/share'].map(template);
    const runs = sortedRuns(paths.map((_, i) => i), (i) => encodePath(paths[i]!));
    // "{username}" meets "{user_id}" at a token; "/home/{user_id}" meets "/home/kasm" at a token.
    assert.deepEqual(runs, [[3, 1, 2], [4], [0, 5]]);
  });
  it('merges runs in the order of their keys and reports two equal keys', () => {
    const keys = ['/a', '/c', '/e', '/b', '/d', '/f', '/g'];
    const keyOf = (i: number) => keys[i]!;
    assert.deepEqual(mergeRuns([[0, 1, 2], [3, 4], [5, 6]], keyOf), [0, 3, 1, 4, 2, 5, 6]);
    assert.deepEqual(mergeRuns([[0], [1, 2, 3]], (i) => ['/x', '/a', '/b', '/c'][i]!), [1, 2, 3, 0]);
    assert.equal(mergeRuns([[0, 1, 2], [3, 4]], (i) => ['/a', '/c', '/e', '/b', '/e'][i]!), null);
    assert.equal(mergeRuns([[0, 1], [2], [3]], (i) => ['/a', '/b', '/c', '/a'][i]!), null);
    assert.deepEqual(mergeRuns([], keyOf), []);
  });
  it('a long run merged with a short one costs a few comparisons, not one per item', () => {
    const long = Array.from({ length: 4096 }, (_, i) => i);
    const keys = long.map((i) => `/k/${String(i).padStart(5, '0')}`);
    keys.push('/k/02048x');
    let comparisons = 0;
    const merged = mergeRuns([long, [4096]], (i) => { comparisons++; return keys[i]!; });
    assert.equal(merged?.indexOf(4096), 2049);
    assert.ok(comparisons < 100, `comparisons ${comparisons}`);
  });
});
