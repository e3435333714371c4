// One contract suite for every Store implementation (TETHER_TEST_STORES=sqlite,postgres).
// Real databases: a temp SQLite file, and a PostgreSQL database created for the run.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import type { EffectiveMountsView, MappingDocument } from '../src/mappings/types.js';
import { openStore } from '../src/store/open-store.js';
import { ADMINISTRATORS_GROUP_ID, ALL_USERS_GROUP_ID } from '../src/store/system-groups.js';
import { ConflictError, MissingReferenceError, RetiredNameError } from '../src/store/index.js';
import { freshStore, storeForSuite, storeKinds } from './helpers/databases.js';
import { makeAudit, makeGroup, makeImage, makeSession, makeToken, makeUser } from './helpers/store-records.js';

const spec = { bind: '/data', mode: 'rw' as const, required: true, timeout: 10, skip_check: false };
const MAPPINGS: MappingDocument = {
  '/srv/zeta/{username}': { ...spec, uid: 1000, gid: 1000 },
  '/srv/alpha': { ...spec, bind: '/ro', mode: 'ro', required: false },
};
const HOSTILE = ["'; DROP TABLE users; --", 'Ünïcødé 名前 😀 Ω \u202e rtl', 'x'.repeat(4096), 'quote " back\\slash %_ like'];

async function rejectsWith(p: Promise<unknown>, type: typeof ConflictError | typeof MissingReferenceError, field: string, text?: RegExp) {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof type, `expected ${type.name}, got ${String(err)}`);
    assert.equal(err.field, field);
    if (text) assert.match(err.message, text);
    return true;
  });
}

for (const kind of storeKinds) {
  describe(`store contract: ${kind}`, () => {
    const db = storeForSuite(kind);

    test('reports its dialect and has both system groups after migration', async () => {
      assert.equal(db.store.dialect, kind);
      const admins = await db.store.groups.get(ADMINISTRATORS_GROUP_ID);
      const all = await db.store.groups.getByName('all users');
      assert.deepEqual({ ...admins, created_at: '', updated_at: '' }, {
        group_id: ADMINISTRATORS_GROUP_ID, name: 'Administrators', priority: 1, system: true, created_at: '', updated_at: '',
        settings: { volume_mappings: {}, allow_persistent_profile: false, max_sessions_per_user: 5, session_time_limit: null },
      });
      assert.equal(all?.group_id, ALL_USERS_GROUP_ID);
      assert.equal(all?.priority, 1000);
      assert.equal(all?.system, true);
    });

    test('meta: get/set/setIfAbsent, and a stable instance id shared by every open of the database', async () => {
      const key = `k-${randomUUID()}`;
      assert.equal(await db.store.meta.get(key), undefined);
      assert.equal(await db.store.meta.setIfAbsent(key, 'first'), 'first');
      assert.equal(await db.store.meta.setIfAbsent(key, 'second'), 'first', 'setIfAbsent must keep the existing value');
      await db.store.meta.set(key, HOSTILE[1] as string);
      assert.equal(await db.store.meta.get(key), HOSTILE[1]);
      const id = await db.store.instanceId();
      assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      assert.equal(await db.store.instanceId(), id);
      assert.equal(await db.store.meta.get('instance_id'), id);
      const again = await openStore(db.url);
      try {
        // concurrent first reads through another connection agree with the stored id
        const ids = await Promise.all([again.instanceId(), again.instanceId(), again.transaction((tx) => tx.instanceId())]);
        assert.deepEqual(ids, [id, id, id]);
      } finally {
        await again.close();
      }
      const other = await freshStore(kind);
      try {
        assert.notEqual(await other.store.instanceId(), id, 'two databases must not share an instance id');
      } finally {
        await other.cleanup();
      }
    });

    test('migrations are idempotent: a second open of the same database sees the same data', async () => {
      const u = makeUser();
      await db.store.users.create(u);
      const again = await openStore(db.url);
      try {
        assert.deepEqual(await again.users.get(u.user_id), u);
        assert.equal((await again.groups.list()).filter((g) => g.system).length, 2);
      } finally {
        await again.close();
      }
    });

    test('users: create, get, case-insensitive lookup, list, update, delete', async () => {
      const u = makeUser({ username: 'Ärger-Alice' });
      await db.store.users.create(u);
      assert.deepEqual(await db.store.users.get(u.user_id), u);
      assert.deepEqual(await db.store.users.getByUsername('äRGER-aLICE'), u);
      assert.ok((await db.store.users.list()).some((x) => x.user_id === u.user_id));
      await db.store.users.update(u.user_id, { disabled: true, username: 'Bob-Renamed', password_hash: 'new' });
      const got = await db.store.users.get(u.user_id);
      assert.equal(got?.disabled, true);
      assert.equal(got?.username, 'Bob-Renamed');
      assert.equal(got?.password_hash, 'new');
      assert.notEqual(got?.updated_at, u.updated_at, 'updated_at defaults to now');
      assert.equal(await db.store.users.getByUsername(u.username), undefined);
      assert.equal((await db.store.users.getByUsername('bob-renamed'))?.user_id, u.user_id);
      await db.store.users.delete(u.user_id);
      assert.equal(await db.store.users.get(u.user_id), undefined);
      assert.equal(await db.store.users.get(randomUUID()), undefined);
    });

    test('users: usernames and ids are unique, regardless of case', async () => {
      const u = makeUser({ username: 'Carol' });
      await db.store.users.create(u);
      await rejectsWith(db.store.users.create(makeUser({ username: 'cAROL' })), ConflictError, 'username', /"cAROL" already exists/);
      await rejectsWith(db.store.users.create(makeUser({ user_id: u.user_id })), ConflictError, 'user_id');
      const other = makeUser();
      await db.store.users.create(other);
      await rejectsWith(db.store.users.update(other.user_id, { username: 'CAROL' }), ConflictError, 'username');
    });

    test('users: a deleted or renamed-away username is retired; a new holder only when the reuse is asked for', async () => {
      const dora = makeUser({ username: 'Dora.Retire' });
      await db.store.users.create(dora);
      assert.equal(await db.store.users.retiredName('dora.retire'), undefined);
      await db.store.users.delete(dora.user_id);
      const retired = await db.store.users.retiredName('DORA.RETIRE');
      assert.equal(retired?.username, 'Dora.Retire');
      assert.equal(retired?.user_id, dora.user_id);
      const newcomer = makeUser({ username: 'dora.RETIRE' });
      await assert.rejects(db.store.users.create(newcomer), (err: unknown) => {
        assert.ok(err instanceof RetiredNameError && err instanceof ConflictError, String(err));
        assert.equal(err.field, 'username');
        assert.match(err.message, /"Dora.Retire" belonged to a user removed or renamed at .*reuse_name: true/);
        return true;
      });
      assert.equal(await db.store.users.getByUsername('dora.retire'), undefined, 'nothing was created');
      await db.store.users.create(newcomer, { reuseRetiredName: true });
      assert.equal((await db.store.users.getByUsername('Dora.Retire'))?.user_id, newcomer.user_id);

      // A rename retires the old name; renaming someone else to it is refused; the holder may take it back.
      const eve = makeUser({ username: 'eve-retire' });
      const frank = makeUser({ username: 'frank-retire' });
      await db.store.users.create(eve);
      await db.store.users.create(frank);
      await db.store.users.update(eve.user_id, { username: 'eve2-retire' });
      assert.equal((await db.store.users.retiredName('EVE-RETIRE'))?.user_id, eve.user_id);
      await rejectsWith(db.store.users.update(frank.user_id, { username: 'Eve-Retire' }), ConflictError, 'username', /"eve-retire" belonged/);
      assert.equal((await db.store.users.get(frank.user_id))?.username, 'frank-retire', 'the refused rename changed nothing');
      assert.equal(await db.store.users.retiredName('frank-retire'), undefined, 'nor retired the old name');
      await db.store.users.update(eve.user_id, { username: 'eve-retire' });
      assert.equal((await db.store.users.get(eve.user_id))?.username, 'eve-retire');
      await db.store.users.update(eve.user_id, { username: 'EVE-retire' });
      assert.equal(await db.store.users.retiredName('eve-retire').then((r) => r?.username), 'eve-retire', 'a change of case is no rename');
      await db.store.users.update(frank.user_id, { username: 'eve2-retire' }, { reuseRetiredName: true });
    });

    test('users: every new user is in "All Users", which cannot be left', async () => {
      const u = makeUser();
      await db.store.users.create(u);
      assert.deepEqual((await db.store.groups.groupsOf(u.user_id)).map((g) => g.group_id), [ALL_USERS_GROUP_ID]);
      await rejectsWith(db.store.groups.removeMember(ALL_USERS_GROUP_ID, u.user_id), ConflictError, 'group_id');
      assert.ok((await db.store.groups.members(ALL_USERS_GROUP_ID)).some((m) => m.user_id === u.user_id));
    });

    test('groups: create, get, case-insensitive lookup, list by priority, update, delete', async () => {
      const g = makeGroup({ name: 'Developers', settings: { volume_mappings: MAPPINGS, allow_persistent_profile: true, max_sessions_per_user: 2, session_time_limit: 3600 } });
      await db.store.groups.create(g);
      assert.deepEqual(await db.store.groups.get(g.group_id), g);
      assert.deepEqual(await db.store.groups.getByName('DEVELOPERS'), g);
      assert.deepEqual(Object.keys((await db.store.groups.get(g.group_id))!.settings.volume_mappings), Object.keys(MAPPINGS), 'key order kept');
      const priorities = (await db.store.groups.list()).map((x) => x.priority);
      assert.deepEqual(priorities, [...priorities].sort((a, b) => a - b));
      const settings = { ...g.settings, session_time_limit: null, volume_mappings: {} };
      await db.store.groups.update(g.group_id, { name: 'Devs', priority: g.priority + 1, settings });
      const got = await db.store.groups.get(g.group_id);
      assert.deepEqual([got?.name, got?.priority, got?.settings], ['Devs', g.priority + 1, settings]);
      await db.store.groups.delete(g.group_id);
      assert.equal(await db.store.groups.get(g.group_id), undefined);
    });

    test('groups: names (case-insensitive) and priorities are unique', async () => {
      const g = makeGroup({ name: 'Testers' });
      await db.store.groups.create(g);
      await rejectsWith(db.store.groups.create(makeGroup({ name: 'TESTERS' })), ConflictError, 'name', /"TESTERS" already exists/);
      await rejectsWith(db.store.groups.create(makeGroup({ priority: g.priority })), ConflictError, 'priority', new RegExp(`a group with priority ${g.priority} already exists`));
      await rejectsWith(db.store.groups.create(makeGroup({ priority: 1 })), ConflictError, 'priority', /priority 1 already/);
      const other = makeGroup();
      await db.store.groups.create(other);
      await rejectsWith(db.store.groups.update(other.group_id, { priority: g.priority }), ConflictError, 'priority');
      await rejectsWith(db.store.groups.update(other.group_id, { name: 'testers' }), ConflictError, 'name');
    });

    test('groups: system groups cannot be deleted or renamed, but their settings can change', async () => {
      await rejectsWith(db.store.groups.delete(ADMINISTRATORS_GROUP_ID), ConflictError, 'group_id', /cannot be deleted/);
      await rejectsWith(db.store.groups.update(ALL_USERS_GROUP_ID, { name: 'Everyone' }), ConflictError, 'name', /cannot be renamed/);
      const settings = { volume_mappings: MAPPINGS, allow_persistent_profile: true, max_sessions_per_user: 3, session_time_limit: 60 };
      await db.store.groups.update(ALL_USERS_GROUP_ID, { name: 'All Users', settings });
      assert.deepEqual((await db.store.groups.get(ALL_USERS_GROUP_ID))?.settings, settings);
      assert.equal((await db.store.groups.get(ALL_USERS_GROUP_ID))?.system, true);
    });

    test('memberships: add is idempotent, members sorted by name, groupsOf sorted by priority', async () => {
      const [a, b] = [makeUser({ username: `b-${randomUUID()}` }), makeUser({ username: `A-${randomUUID()}` })];
      await db.store.users.create(a);
      await db.store.users.create(b);
      const base = 100 + Math.floor(Math.random() * 800); // between Administrators (1) and All Users (1000)
      const groups = [makeGroup({ priority: base + 3 }), makeGroup({ priority: base + 1 }), makeGroup({ priority: base + 2 })];
      for (const g of groups) {
        await db.store.groups.create(g);
        await db.store.groups.addMember(g.group_id, a.user_id);
      }
      await db.store.groups.addMember(groups[0]!.group_id, a.user_id);
      await db.store.groups.addMember(groups[0]!.group_id, b.user_id);
      await db.store.groups.addMember(ADMINISTRATORS_GROUP_ID, a.user_id);
      assert.deepEqual((await db.store.groups.groupsOf(a.user_id)).map((g) => g.priority), [1, base + 1, base + 2, base + 3, 1000]);
      assert.deepEqual((await db.store.groups.members(groups[0]!.group_id)).map((m) => m.user_id), [b.user_id, a.user_id]);
      await db.store.groups.removeMember(groups[0]!.group_id, a.user_id);
      await db.store.groups.removeMember(groups[0]!.group_id, a.user_id);
      assert.deepEqual((await db.store.groups.members(groups[0]!.group_id)).map((m) => m.user_id), [b.user_id]);
      await rejectsWith(db.store.groups.addMember(groups[0]!.group_id, randomUUID()), MissingReferenceError, 'group_id');
      await rejectsWith(db.store.groups.addMember(randomUUID(), a.user_id), MissingReferenceError, 'group_id');
    });

    test('deleting a user removes memberships and tokens; sessions and audit keep the user id', async () => {
      const u = makeUser();
      await db.store.users.create(u);
      const g = makeGroup();
      await db.store.groups.create(g);
      await db.store.groups.addMember(g.group_id, u.user_id);
      const t = makeToken(u.user_id);
      await db.store.tokens.create(t);
      const s = makeSession({ user_id: u.user_id });
      await db.store.sessions.create(s);
      const e = makeAudit({ actor_id: u.user_id, target_id: u.user_id, target_type: 'user' });
      await db.store.audit.append(e);
      await db.store.users.delete(u.user_id);
      assert.deepEqual(await db.store.groups.members(g.group_id), []);
      assert.deepEqual(await db.store.groups.groupsOf(u.user_id), []);
      assert.equal((await db.store.tokens.getCredential(t.digest))?.token, undefined);
      assert.equal((await db.store.sessions.get(s.session_id))?.user_id, u.user_id);
      assert.deepEqual(await db.store.audit.list({ actor_id: u.user_id }), [e]);
    });

    test('deleting a group removes its memberships and its id from images', async () => {
      const u = makeUser();
      await db.store.users.create(u);
      const [g, keep] = [makeGroup(), makeGroup()];
      await db.store.groups.create(g);
      await db.store.groups.create(keep);
      await db.store.groups.addMember(g.group_id, u.user_id);
      const img = makeImage({ groups: [keep.group_id, g.group_id] });
      const untouched = makeImage({ groups: [keep.group_id] });
      await db.store.images.create(img);
      await db.store.images.create(untouched);
      await db.store.groups.delete(g.group_id);
      assert.deepEqual((await db.store.groups.groupsOf(u.user_id)).map((x) => x.group_id), [ALL_USERS_GROUP_ID]);
      assert.deepEqual((await db.store.images.get(img.image_id))?.groups, [keep.group_id]);
      assert.deepEqual(await db.store.images.get(untouched.image_id), untouched);
      await db.store.groups.delete(g.group_id); // deleting a missing group is a no-op
    });

    test('images: every field type round-trips; names unique regardless of case', async () => {
      const full = makeImage({
        name: 'Chrome', volume_mappings: MAPPINGS, persistent_profile_path: '/profiles/{username}', user: '1000:1000',
        cores: 1.5, memory: 8 * 1024 ** 3, enabled: false, groups: [ADMINISTRATORS_GROUP_ID], web_port: 6901, registry_auth_encrypted: 'v1:abc==',
        security: { network: 'lab-net', cap_add: ['SYS_PTRACE'], cap_drop: ['ALL'], no_new_privileges: false, pids_limit: null },
      });
      await db.store.images.create(full);
      assert.deepEqual(await db.store.images.get(full.image_id), full);
      assert.deepEqual(await db.store.images.getByName('cHROME'), full);
      assert.ok((await db.store.images.list()).some((i) => i.image_id === full.image_id));
      await rejectsWith(db.store.images.create(makeImage({ name: 'CHROME' })), ConflictError, 'name', /"CHROME" already exists/);
      const cleared = { persistent_profile_path: null, user: null, cores: null, memory: null, web_port: null, registry_auth_encrypted: null, enabled: true, groups: [], security: {} };
      await db.store.images.update(full.image_id, { ...cleared, updated_at: '2027-01-01T00:00:00.000Z' });
      assert.deepEqual(await db.store.images.get(full.image_id), { ...full, ...cleared, updated_at: '2027-01-01T00:00:00.000Z' });
      await db.store.images.delete(full.image_id);
      assert.equal(await db.store.images.get(full.image_id), undefined);
    });

    test('volume mappings come back as plain values each caller owns, and new after a change', async () => {
      const img = makeImage({ name: `plain-${randomUUID()}`, volume_mappings: MAPPINGS });
      const g = makeGroup({ name: `plain-${randomUUID()}`, settings: { volume_mappings: MAPPINGS, allow_persistent_profile: false, max_sessions_per_user: 2, session_time_limit: null } });
      await db.store.images.create(img);
      await db.store.groups.create(g);
      const i1 = await db.store.images.get(img.image_id);
      (i1!.volume_mappings['/srv/alpha'] as { bind: string }).bind = '/changed'; // a caller's own copy
      assert.deepEqual((await db.store.images.get(img.image_id))!.volume_mappings, MAPPINGS);
      const g1 = await db.store.groups.get(g.group_id);
      g1!.settings.max_sessions_per_user = 9;
      delete g1!.settings.volume_mappings['/srv/alpha'];
      const g2 = await db.store.groups.get(g.group_id);
      assert.equal(g2!.settings.max_sessions_per_user, 2);
      assert.deepEqual(g2!.settings.volume_mappings, MAPPINGS);
      const changed = { '/srv/beta': { ...spec, bind: '/beta' } };
      await db.store.images.update(img.image_id, { volume_mappings: changed });
      assert.deepEqual((await db.store.images.get(img.image_id))!.volume_mappings, changed);
      await db.store.images.delete(img.image_id);
      await db.store.groups.delete(g.group_id);
    });

    test('tokens: by digest, by id, list filters, revoke; digests unique; unknown user refused', async () => {
      const u = makeUser();
      await db.store.users.create(u);
      const api = makeToken(u.user_id, { expires_at: '2027-05-05T00:00:00.000Z' });
      const login = makeToken(u.user_id, { kind: 'login', created_at: '2026-02-01T00:00:00.000Z' });
      await db.store.tokens.create(api);
      await db.store.tokens.create(login);
      assert.deepEqual((await db.store.tokens.getCredential(api.digest))?.token, api);
      assert.deepEqual(await db.store.tokens.get(login.token_id), login);
      assert.equal((await db.store.tokens.getCredential('0'.repeat(64)))?.token, undefined);
      assert.deepEqual(await db.store.tokens.list({ user_id: u.user_id }), [api, login]);
      assert.deepEqual(await db.store.tokens.list({ user_id: u.user_id, kind: 'login' }), [login]);
      assert.ok((await db.store.tokens.list()).length >= 2);
      await db.store.tokens.update(api.token_id, { revoked_at: '2026-03-03T03:03:03.000Z', last_used_at: '2026-03-03T03:03:02.000Z' });
      assert.deepEqual(await db.store.tokens.get(api.token_id), { ...api, revoked_at: '2026-03-03T03:03:03.000Z', last_used_at: '2026-03-03T03:03:02.000Z' });
      await rejectsWith(db.store.tokens.create(makeToken(u.user_id, { digest: api.digest })), ConflictError, 'digest');
      await rejectsWith(db.store.tokens.create(makeToken(randomUUID())), MissingReferenceError, 'user_id');
    });

    test('audit: JSON before/after, newest first, every filter, limits', async () => {
      const target = randomUUID();
      const actor = randomUUID();
      const entries = [
        makeAudit({ target_id: target, at: '2026-03-01T00:00:00.000Z', action: 'group.update', target_type: 'group', before: { a: [1, 'x'] }, after: { a: [] } }),
        makeAudit({ target_id: target, at: '2026-03-03T00:00:00.000Z', action: 'group.member.add', target_type: 'group', actor_id: actor, after: 'plain string' }),
        makeAudit({ target_id: target, at: '2026-03-02T00:00:00.000Z', action: 'group.update', target_type: 'group', before: 0, after: true }),
        makeAudit({ target_id: target, at: '2026-03-03T00:00:00.000Z', action: 'group.update', target_type: 'group', target_name: 'tie, appended last' }),
      ];
      for (const e of entries) await db.store.audit.append(e);
      const [e0, e1, e2, e3] = entries as [typeof entries[0], typeof entries[0], typeof entries[0], typeof entries[0]];
      assert.deepEqual(await db.store.audit.list({ target_id: target }), [e3, e1, e2, e0]);
      assert.deepEqual(await db.store.audit.list({ target_id: target, action: 'group.update' }), [e3, e2, e0]);
      assert.deepEqual(await db.store.audit.list({ actor_id: actor }), [e1]);
      assert.deepEqual(await db.store.audit.list({ target_id: target, since: '2026-03-02T00:00:00Z' }), [e3, e1, e2]);
      assert.deepEqual(await db.store.audit.list({ target_id: target, limit: 2 }), [e3, e1]);
      assert.ok((await db.store.audit.list({ target_type: 'group' })).every((e) => e.target_type === 'group'));
    });

    test('audit: default limit 100, maximum 1000', async () => {
      const target = randomUUID();
      await db.store.transaction(async (tx) => {
        for (let i = 0; i < 1001; i++) await tx.audit.append(makeAudit({ target_id: target, at: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString() }));
      });
      const def = await db.store.audit.list({ target_id: target });
      assert.equal(def.length, 100);
      assert.equal(def[0]?.at, new Date(Date.UTC(2026, 0, 1) + 1000 * 1000).toISOString());
      assert.equal((await db.store.audit.list({ target_id: target, limit: 5000 })).length, 1000);
    });

    test('sessions: JSON fields round-trip, list filters, update', async () => {
      const mounts: EffectiveMountsView = {
        mounts: [{ host_path: '/srv/u', bind: '/data', mode: 'rw', uid: 1000, gid: null, required: true, timeout: 10, skip_check: false, source: { kind: 'group', name: 'All Users', priority: 1000 } }],
        shadowed: [],
        conflicts: [],
      };
      const user = randomUUID();
      const mounts_basis = { username: 'u', image: 'd1:00', groups: [{ group_id: randomUUID(), name: 'All Users', priority: 1000, digest: 'd1:01' }], profile: null, policy: '[[],[]]' };
      const s = makeSession({ user_id: user, mounts, warnings: [{ mapping: '/srv/u', class: 'unreachable', message: 'timed out' }], host: 'node-1', mappings_digest: 'abc', mounts_basis, expires_at: '2026-01-03T00:00:00.000Z' });
      const other = makeSession({ user_id: user, state: 'running', created_at: '2026-01-02T03:04:06.000Z' });
      await db.store.sessions.create(s);
      await db.store.sessions.create(other);
      assert.deepEqual(await db.store.sessions.get(s.session_id), s);
      assert.deepEqual(await db.store.sessions.list({ user_id: user }), [s, other]);
      assert.deepEqual(await db.store.sessions.list({ user_id: user, states: ['running', 'stopping'] }), [other]);
      assert.deepEqual(await db.store.sessions.list({ user_id: user, states: [] }), []);
      const error = { mapping: '/srv/u', class: 'mkdir', message: 'EACCES' };
      await db.store.sessions.update(s.session_id, { state: 'failed', error, mounts: null, container_id: 'c0ffee' });
      const got = await db.store.sessions.get(s.session_id);
      assert.deepEqual([got?.state, got?.error, got?.mounts, got?.container_id], ['failed', error, null, 'c0ffee']);
    });

    test('placement: a session\'s node and placement, an image\'s zones round-trip; none read back absent', async () => {
      const node = { id: 'abc123', hostname: 'tslab-n2', zone: 'zone-a' };
      const placement = { reason: 'least loaded of 2 eligible nodes', tried: [{ node: 'tslab-n1', outcome: 'missing: /srv/x' }, { node: 'tslab-n2', outcome: 'placed' }] };
      const s = makeSession({ state: 'lost', node, placement });
      await db.store.sessions.create(s);
      assert.deepEqual(await db.store.sessions.get(s.session_id), s);
      await db.store.sessions.update(s.session_id, { node: null, placement: null });
      const cleared = await db.store.sessions.get(s.session_id);
      assert.equal(cleared !== undefined && 'node' in cleared, false);
      assert.equal(cleared !== undefined && 'placement' in cleared, false);
      const img = makeImage({ zones: ['zone-a', 'zone-b'] });
      await db.store.images.create(img);
      assert.deepEqual((await db.store.images.get(img.image_id))?.zones, ['zone-a', 'zone-b']);
      await db.store.images.update(img.image_id, { zones: [] });
      const any = await db.store.images.get(img.image_id);
      assert.equal(any !== undefined && 'zones' in any, false, 'no restriction reads back as no zones');
    });

    test('sessions: transition is a compare-and-set; of two racing transitions exactly one wins', async () => {
      const s = makeSession();
      await db.store.sessions.create(s);
      assert.equal(await db.store.sessions.transition(s.session_id, ['running'], { state: 'stopping' }), false);
      assert.equal((await db.store.sessions.get(s.session_id))?.state, 'requested');
      assert.equal(await db.store.sessions.transition(s.session_id, ['requested', 'preparing'], { state: 'preparing', host: 'h' }), true);
      assert.deepEqual([(await db.store.sessions.get(s.session_id))?.state, (await db.store.sessions.get(s.session_id))?.host], ['preparing', 'h']);
      assert.equal(await db.store.sessions.transition(randomUUID(), ['requested'], { state: 'failed' }), false);
      for (let i = 0; i < 20; i++) {
        const r = makeSession();
        await db.store.sessions.create(r);
        const results = await Promise.all([
          db.store.sessions.transition(r.session_id, ['requested'], { state: 'starting', container_id: 'launch' }),
          db.store.sessions.transition(r.session_id, ['requested'], { state: 'destroyed', container_id: 'destroy' }),
        ]);
        assert.equal(results.filter(Boolean).length, 1, `race ${i}: ${results}`);
        const final = await db.store.sessions.get(r.session_id);
        assert.deepEqual([final?.state, final?.container_id], results[0] ? ['starting', 'launch'] : ['destroyed', 'destroy']);
      }
    });

    test('transaction: commits on success, writes nothing when fn throws', async () => {
      const [u1, u2] = [makeUser(), makeUser()];
      const g = makeGroup();
      const value = await db.store.transaction(async (tx) => {
        await tx.users.create(u1);
        await tx.groups.create(g);
        await tx.transaction(async (inner) => inner.groups.addMember(g.group_id, u1.user_id));
        return 42;
      });
      assert.equal(value, 42);
      assert.deepEqual((await db.store.groups.members(g.group_id)).map((m) => m.user_id), [u1.user_id]);
      await assert.rejects(
        db.store.transaction(async (tx) => {
          await tx.users.create(u2);
          await tx.groups.update(g.group_id, { name: 'renamed-in-rolled-back-tx' });
          await tx.audit.append(makeAudit({ target_id: u2.user_id }));
          assert.ok(await tx.users.get(u2.user_id), 'the transaction sees its own writes');
          throw new Error('boom');
        }),
        /boom/,
      );
      assert.equal(await db.store.users.get(u2.user_id), undefined);
      assert.equal((await db.store.groups.get(g.group_id))?.name, g.name);
      assert.deepEqual(await db.store.audit.list({ target_id: u2.user_id }), []);
      await db.store.transaction(async (tx) => assert.rejects(tx.close(), /transaction-bound/));
    });

    test('hostile strings are stored and read back verbatim', async () => {
      for (const h of HOSTILE) {
        const u = makeUser({ username: h, password_hash: h });
        await db.store.users.create(u);
        assert.deepEqual(await db.store.users.getByUsername(h), u);
        const img = makeImage({ name: `${h}-${randomUUID()}`, friendly_name: h, docker_image: h, volume_mappings: { [h]: { ...spec, bind: h } }, user: h });
        await db.store.images.create(img);
        assert.deepEqual(await db.store.images.get(img.image_id), img);
        const e = makeAudit({ actor_name: h, action: h, target_name: h, before: { [h]: h }, after: [h] });
        await db.store.audit.append(e);
        assert.deepEqual(await db.store.audit.list({ target_id: e.target_id!, action: h }), [e]);
      }
      assert.ok((await db.store.users.list()).length > 0, 'users table still there');
    });

    test('a NUL character (U+0000) in text is refused on every dialect; lookups by it find nothing', async () => {
      const u = makeUser({ username: 'nul\u0000user' });
      await assert.rejects(db.store.users.create(u), (err: Error) => err instanceof TypeError && /NUL character/.test(err.message));
      await assert.rejects(db.store.images.create(makeImage({ friendly_name: 'a\u0000b' })), /NUL character/);
      assert.equal(await db.store.users.get(u.user_id), undefined);
      assert.equal(await db.store.users.getByUsername(u.username), undefined);
      assert.equal((await db.store.tokens.getCredential('\u0000'))?.token, undefined);
      const e = makeAudit({ after: { text: 'in JSON it is escaped: \u0000' } });
      await db.store.audit.append(e);
      assert.deepEqual(await db.store.audit.list({ target_id: e.target_id! }), [e]);
    });

    test('timestamps are stored in canonical ISO-8601 UTC form; invalid ones are refused', async () => {
      const u = makeUser({ created_at: '2026-01-02T03:04:05Z', updated_at: '2026-01-02T05:04:05+02:00' });
      await db.store.users.create(u);
      const got = await db.store.users.get(u.user_id);
      assert.deepEqual([got?.created_at, got?.updated_at], ['2026-01-02T03:04:05.000Z', '2026-01-02T03:04:05.000Z']);
      await assert.rejects(db.store.users.create(makeUser({ created_at: 'yesterday' })), /created_at must be an ISO-8601 timestamp/);
    });
  });
}
