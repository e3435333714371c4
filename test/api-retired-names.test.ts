// A username that existed is not handed to a new user by accident: `{username}` host folders
// outlive their user, so "bob" created after the first "bob" was deleted would get the first
// one's files. Creating or renaming to a retired name is 409 unless reuse_name: true, and the
// reuse is audited with the earlier holder. Both stores.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { makeTestApp, type TestApp } from './helpers/app.js';
import { storeKinds } from './helpers/databases.js';

for (const kind of storeKinds) {
  describe(`retired usernames (${kind})`, () => {
    let t: TestApp;
    before(async () => {
      t = await makeTestApp(kind);
      await t.call(t.adminToken, { method: 'POST', url: '/api/v1/groups', payload: { name: 'homes', priority: 20, settings: { volume_mappings: { '/srv/users/{username}': { bind: '/data' } } } } });
    });
    after(async () => { await t?.cleanup(); });

    const create = (username: string, extra: Record<string, unknown> = {}) =>
      t.call(t.adminToken, { method: 'POST', url: '/api/v1/users', payload: { username, password: 'password-5678', groups: ['homes'], ...extra } });

    it('a deleted user\'s name is refused to a new user (409 naming why), whatever its case', async () => {
      const first = await create('bob');
      assert.equal(first.statusCode, 201, first.body);
      const firstId = first.json().user_id;
      assert.equal((await t.call(t.adminToken, { method: 'DELETE', url: '/api/v1/users/bob' })).statusCode, 204);
      for (const name of ['bob', 'BOB', 'Bob']) {
        const res = await create(name);
        assert.equal(res.statusCode, 409, res.body);
        assert.match(res.json().message, new RegExp(`"bob" belonged to a user removed or renamed at .*user id ${firstId}.*reuse_name: true`));
        assert.deepEqual(res.json().validations, [{ field: 'username', detail: 'retired username: it belonged to an earlier user' }]);
      }
      assert.equal((await t.call(t.adminToken, { method: 'GET', url: '/api/v1/users/bob' })).statusCode, 404, 'nothing was created');
    });

    it('with reuse_name: true the administrator gives it on purpose, and the audit names the earlier holder', async () => {
      const res = await create('Bob', { reuse_name: true });
      assert.equal(res.statusCode, 201, res.body);
      const entries = (await t.call(t.adminToken, { method: 'GET', url: `/api/v1/audit?target_id=${res.json().user_id}` })).json();
      const created = entries.find((e: { action: string }) => e.action === 'user.create');
      assert.equal(created?.after?.reused_name_of?.username, 'bob', JSON.stringify(entries));
    });

    it('a rename retires the old name; renaming someone else to it is refused unless reuse_name', async () => {
      assert.equal((await create('carol')).statusCode, 201);
      assert.equal((await create('dave')).statusCode, 201);
      const renamed = await t.call(t.adminToken, { method: 'PATCH', url: '/api/v1/users/carol', payload: { username: 'carol-smith' } });
      assert.equal(renamed.statusCode, 200, renamed.body);
      assert.equal(renamed.json().username, 'carol-smith');
      const taken = await t.call(t.adminToken, { method: 'PATCH', url: '/api/v1/users/dave', payload: { username: 'Carol' } });
      assert.equal(taken.statusCode, 409, taken.body);
      assert.equal((await t.call(t.adminToken, { method: 'GET', url: '/api/v1/users/dave' })).statusCode, 200, 'dave keeps his name');
      assert.equal((await create('carol')).statusCode, 409);
      const reused = await t.call(t.adminToken, { method: 'PATCH', url: '/api/v1/users/dave', payload: { username: 'carol', reuse_name: true } });
      assert.equal(reused.statusCode, 200, reused.body);
      const bad = await t.call(t.adminToken, { method: 'PATCH', url: '/api/v1/users/carol', payload: { reuse_name: true } });
      assert.equal(bad.statusCode, 400);
      assert.deepEqual(bad.json().validations, [{ field: 'reuse_name', detail: 'only with a new username' }]);
      const invalid = await t.call(t.adminToken, { method: 'PATCH', url: '/api/v1/users/carol', payload: { username: '../x' } });
      assert.equal(invalid.statusCode, 400);
    });
  });
}
