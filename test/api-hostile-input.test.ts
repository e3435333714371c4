// Hostile input gets a 4xx and changes nothing (a full dump of users, groups, members,
// images and tokens is compared before and after); invalid mapping documents are rejected
// with every error located; users cannot reach other users' mounts or tokens. (Failed
// logins: api-login-throttle.test.ts.)
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { dumpStore, makeTestApp, type TestApp } from './helpers/app.js';
import { storeKinds } from './helpers/databases.js';

for (const kind of storeKinds) {
  describe(`hostile input (${kind})`, () => {
    let t: TestApp;
    let userToken: string;
    before(async () => {
      t = await makeTestApp(kind);
      userToken = (await t.makeUser('mallory', { password: 'mallory-password' })).token;
      await t.makeUser('victim', { password: 'victim-password' });
      await t.call(t.adminToken, { method: 'POST', url: '/api/v1/groups', payload: { name: 'devs', priority: 10, settings: { volume_mappings: { '/srv/devs': { bind: '/devs' } } } } });
      await t.call(t.adminToken, { method: 'POST', url: '/api/v1/images', payload: { name: 'desk', docker_image: 'kasmweb/desk:1', volume_mappings: { '/srv/desk': { bind: '/desk', uid: 1000 } } } });
    });
    after(async () => { await t?.cleanup(); });

    const cases: Array<[string, string, string, unknown]> = [
      ['oversized body', 'POST', '/api/v1/groups', { name: 'big', priority: 77, settings: { volume_mappings: JSON.stringify({ '/srv/x': { bind: '/x' }, pad: 'p'.repeat(300_000) }) } }],
      ['wrong type: priority as string', 'POST', '/api/v1/groups', { name: 'g1', priority: '10' }],
      ['wrong type: disabled as string', 'PATCH', '/api/v1/users/victim', { disabled: 'yes' }],
      ['wrong type: memory as string', 'PATCH', '/api/v1/images/desk', { memory: '2g' }],
      ['unknown field', 'POST', '/api/v1/users', { username: 'newbie', password: 'newbie-password', is_admin: true }],
      ['unknown field in settings', 'PATCH', '/api/v1/groups/devs', { settings: { max_sessions_per_user: 2, privileged: true } }],
      ['prototype pollution', 'POST', '/api/v1/groups', JSON.parse('{"name":"pp","priority":78,"__proto__":{"admin":true}}')],
      ['SQL-ish username', 'POST', '/api/v1/users', { username: "admin'--", password: 'whatever-pw' }],
      ['SQL-ish username 2', 'POST', '/api/v1/users', { username: 'x" OR 1=1; DROP TABLE users;--', password: 'whatever-pw' }],
      ['SQL-ish image name', 'POST', '/api/v1/images', { name: "desk'; DELETE FROM images;--", docker_image: 'x:1' }],
      ['SQL-ish path id', 'DELETE', `/api/v1/users/${encodeURIComponent("' OR '1'='1")}`, undefined],
      ['SQL-ish member', 'POST', '/api/v1/groups/devs/members', { user: "victim' OR 1=1--" }],
      ['traversal username ../admin', 'POST', '/api/v1/users', { username: '../admin', password: 'whatever-pw' }],
      ['traversal username a/b', 'POST', '/api/v1/users', { username: 'a/b', password: 'whatever-pw' }],
      ['username with NUL', 'POST', '/api/v1/users', { username: 'bob\u0000root', password: 'whatever-pw' }],
      ['username of 65 chars', 'POST', '/api/v1/users', { username: 'a'.repeat(65), password: 'whatever-pw' }],
      ['username ..', 'POST', '/api/v1/users', { username: '..', password: 'whatever-pw' }],
      ['empty username', 'POST', '/api/v1/users', { username: '', password: 'whatever-pw' }],
      ['short password', 'POST', '/api/v1/users', { username: 'shorty', password: 'short' }],
      ['profile path traversal', 'PATCH', '/api/v1/images/desk', { persistent_profile_path: '/srv/profiles/../../etc' }],
      ['bad uid:gid', 'PATCH', '/api/v1/images/desk', { user: 'root' }],
      ['group name with control char', 'POST', '/api/v1/groups', { name: 'a\nb', priority: 79 }],
      ['unknown group on new user', 'POST', '/api/v1/users', { username: 'grouped', password: 'grouped-password', groups: ['devs', 'nope'] }],
      ['unknown group on image', 'PATCH', '/api/v1/images/desk', { groups: ['devs', 'no-such-group'] }],
      ['array instead of object', 'POST', '/api/v1/groups', [1, 2, 3]],
      ['malformed JSON', 'POST', '/api/v1/groups', '{"name": "x", '],
    ];

    for (const [name, method, url, payload] of cases) {
      it(`${name} → 4xx, nothing changes`, async () => {
        const beforeDump = await dumpStore(t.store);
        const res = await t.call(t.adminToken, {
          method: method as 'POST', url,
          ...(payload === undefined ? {} : typeof payload === 'string' ? { payload, headers: { 'content-type': 'application/json' } } : { payload: payload as object }),
        });
        assert.ok(res.statusCode >= 400 && res.statusCode < 500, `${res.statusCode} ${res.body}`);
        const body = res.json();
        assert.equal(typeof body.message, 'string');
        if (name === 'oversized body') assert.equal(res.statusCode, 413);
        if (res.statusCode === 400 && method !== 'DELETE' && !/^(malformed|array|prototype)/.test(name)) {
          assert.ok(Array.isArray(body.validations) && body.validations.length > 0, `validations in ${res.body}`);
        }
        assert.deepEqual(await dumpStore(t.store), beforeDump);
      });
    }

    it('stores SQL-ish free text verbatim (parameterized queries) and keeps every table intact', async () => {
      const name = "Robert'); DROP TABLE groups;--";
      const res = await t.call(t.adminToken, { method: 'POST', url: '/api/v1/groups', payload: { name, priority: 90 } });
      assert.equal(res.statusCode, 201, res.body);
      assert.equal((await t.call(t.adminToken, { method: 'GET', url: `/api/v1/groups/${encodeURIComponent(name)}` })).json().name, name);
      assert.ok((await t.store.groups.list()).length >= 4);
      assert.equal((await t.call(t.adminToken, { method: 'DELETE', url: `/api/v1/groups/${encodeURIComponent(name)}` })).statusCode, 204);
    });

    it('rejects an invalid mapping document with every error located and keeps the previous one', async () => {
      const beforeDump = await dumpStore(t.store);
      const doc = '{"/var/kasm_user_share": {"bind": "/share", "uid": "1000", "requird": true, "mode": "rx"}, "/etc": {"bind": "/e"}, "relative": {"bind": "/r"}, "/srv/{usrname}": {"bind": "/u"}, "/srv/dup": {"bind": "/d", "bind": "/d2"}}';
      const res = await t.call(t.adminToken, { method: 'PATCH', url: '/api/v1/images/desk', payload: { volume_mappings: doc, friendly_name: 'changed' } });
      assert.equal(res.statusCode, 400, res.body);
      const fields = res.json().validations.map((v: { field: string }) => v.field);
      for (const f of ['volume_mappings."/var/kasm_user_share".uid', 'volume_mappings."/var/kasm_user_share".requird', 'volume_mappings."/var/kasm_user_share".mode', 'volume_mappings."/srv/dup".bind']) {
        assert.ok(fields.includes(f), `${f} in ${JSON.stringify(fields)}`);
      }
      assert.ok(fields.some((f: string) => f.startsWith('volume_mappings."relative"')), JSON.stringify(fields));
      assert.ok(fields.some((f: string) => f.startsWith('volume_mappings."/srv/{usrname}"')), JSON.stringify(fields));
      assert.match(JSON.stringify(res.json().validations), /did you mean \\"required\\"/);
      const policy = await t.call(t.adminToken, { method: 'PATCH', url: '/api/v1/groups/devs', payload: { settings: { volume_mappings: { '/etc': { bind: '/e' }, '/var': { bind: '/v' } } } } });
      assert.equal(policy.statusCode, 400, policy.body);
      assert.deepEqual(policy.json().validations.map((v: { field: string }) => v.field).sort(), ['settings.volume_mappings."/etc"', 'settings.volume_mappings."/var"']);
      const denied = await t.call(t.adminToken, { method: 'POST', url: '/api/v1/images', payload: { name: 'evil', docker_image: 'x:1', volume_mappings: { '/var/lib/tether-test-data/db': { bind: '/db' } } } });
      assert.equal(denied.statusCode, 400, 'the data dir (policy.extraDenied) is refused');
      assert.deepEqual(await dumpStore(t.store), beforeDump);
    });

    it('a user cannot see another user\'s effective mounts or tokens', async () => {
      for (const other of ['victim', 'admin', 'nobody-at-all']) {
        const res = await t.call(userToken, { method: 'GET', url: `/api/v1/effective-mounts?image=desk&user=${other}` });
        assert.equal(res.statusCode, 403, `${other}: ${res.body}`);
      }
      assert.equal((await t.call(userToken, { method: 'GET', url: '/api/v1/effective-mounts?image=desk&user=MALLORY' })).statusCode, 200);
      const adminTokens = await t.store.tokens.list({ user_id: t.admin.user_id });
      const listed = (await t.call(userToken, { method: 'GET', url: '/api/v1/tokens' })).json();
      assert.equal(listed.some((x: { user_id: string }) => x.user_id !== listed[0]?.user_id), false);
      const res = await t.call(userToken, { method: 'DELETE', url: `/api/v1/tokens/${adminTokens[0]!.token_id}` });
      assert.equal(res.statusCode, 403);
      assert.equal((await t.store.tokens.get(adminTokens[0]!.token_id))?.revoked_at, null);
    });

    it('rejects malformed credentials with 401', async () => {
      for (const authorization of ['Basic YWRtaW46YWRtaW4=', 'Bearer', 'Bearer not-a-token', `Bearer tth_${'A'.repeat(43)}`, `Bearer ${t.adminToken}x`]) {
        const res = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization } });
        assert.equal(res.statusCode, 401, authorization);
      }
    });
  });
}
