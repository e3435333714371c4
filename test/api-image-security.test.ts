// An image's `security` through the HTTP API against the real store (SQLite and PostgreSQL):
// saved, shown, replaced, reset; every invalid setting refused at save, named by its field,
// with nothing stored.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { makeTestApp, type TestApp } from './helpers/app.js';
import { storeKinds } from './helpers/databases.js';

for (const kind of storeKinds) {
  describe(`image security settings through the API (${kind})`, () => {
    let t: TestApp;
    before(async () => { t = await makeTestApp(kind); });
    after(async () => { await t?.cleanup(); });
    const admin = (method: string, url: string, payload?: unknown) => t.call(t.adminToken, { method: method as 'GET', url: `/api/v1${url}`, ...(payload !== undefined ? { payload: payload as object } : {}) });

    it('saves, shows, replaces and resets the overrides; an image without them shows {}', async () => {
      const plain = await admin('POST', '/images', { name: 'plain', docker_image: 'x/plain:1' });
      assert.equal(plain.statusCode, 201, plain.body);
      assert.deepEqual(plain.json().security, {});
      const desk = await admin('POST', '/images', { name: 'desk', docker_image: 'x/desk:1', security: { pids_limit: 4096, cap_add: ['cap_sys_nice'], no_new_privileges: false } });
      assert.equal(desk.statusCode, 201, desk.body);
      assert.deepEqual(desk.json().security, { pids_limit: 4096, cap_add: ['SYS_NICE'], no_new_privileges: false });
      assert.deepEqual((await t.store.images.getByName('desk'))?.security, { pids_limit: 4096, cap_add: ['SYS_NICE'], no_new_privileges: false });
      const replaced = await admin('PATCH', '/images/desk', { security: { network: 'none', pids_limit: null } });
      assert.deepEqual(replaced.json().security, { network: 'none', pids_limit: null }, 'replaced whole, like volume_mappings');
      assert.deepEqual((await admin('GET', '/images/desk')).json().security, { network: 'none', pids_limit: null });
      assert.deepEqual((await admin('PATCH', '/images/desk', { security: null })).json().security, {});
      assert.deepEqual((await t.store.images.getByName('desk'))?.security, {});
    });

    it('refuses invalid settings at save with a 400 naming each field; nothing is stored', async () => {
      const bad = await admin('POST', '/images', {
        name: 'bad', docker_image: 'x/bad:1',
        security: { cap_add: ['NET_RAW', 'FLY'], network: 'host', pids_limit: 3, no_new_privileges: 'no', privileged: true },
      });
      assert.equal(bad.statusCode, 400, bad.body);
      const v = bad.json().validations as Array<{ field: string; detail: string }>;
      assert.deepEqual(v.map((x) => x.field).sort(), ['security.cap_add[1]', 'security.network', 'security.no_new_privileges', 'security.pids_limit', 'security.privileged']);
      assert.match(v.find((x) => x.field === 'security.cap_add[1]')?.detail ?? '', /"FLY" is not a Linux capability/);
      assert.equal(await t.store.images.getByName('bad'), undefined);
      const created = await admin('POST', '/images', { name: 'kept', docker_image: 'x/kept:1', security: { pids_limit: 2048 } });
      assert.equal(created.statusCode, 201);
      const patch = await admin('PATCH', '/images/kept', { security: { cap_add: ['ALL'] } });
      assert.equal(patch.statusCode, 400, patch.body);
      assert.equal(patch.json().validations[0].field, 'security.cap_add[0]');
      assert.deepEqual((await t.store.images.getByName('kept'))?.security, { pids_limit: 2048 }, 'unchanged');
      assert.equal((await admin('POST', '/images', { name: 'arr', docker_image: 'x/a:1', security: ['SYS_ADMIN'] })).statusCode, 400);
    });
  });
}
