// Image registry credentials through the API on both stores: validated, stored sealed
// (never in clear, on SQLite and PostgreSQL), never returned, redacted from the audit log,
// cleared with null; refused with a clear 400 when the server has no secret box.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { makeTestApp, type TestApp } from './helpers/app.js';
import { storeKinds } from './helpers/databases.js';
import { createSecretBox } from '../src/secrets/index.js';

const PASSWORD = 'reg-pass-4b1d9e';

for (const kind of storeKinds) {
  describe(`API registry_auth (${kind})`, () => {
    const box = createSecretBox(() => randomBytes(32));
    let t: TestApp;
    before(async () => { t = await makeTestApp(kind, { secrets: box }); });
    after(async () => { await t?.cleanup(); });
    const admin = (method: string, url: string, payload?: unknown) => t.call(t.adminToken, { method: method as 'GET', url: `/api/v1${url}`, ...(payload !== undefined ? { payload: payload as object } : {}) });

    it('stores the credentials sealed, shows only has_registry_auth, keeps them out of the audit log, clears them with null', async () => {
      const created = await admin('POST', '/images', { name: 'private', docker_image: 'reg.example:5000/desk:1', registry_auth: { username: 'puller', password: PASSWORD, serveraddress: 'reg.example:5000' } });
      assert.equal(created.statusCode, 201, created.body);
      assert.equal(created.json().has_registry_auth, true);
      assert.ok(!created.body.includes(PASSWORD) && !('registry_auth_encrypted' in created.json()));
      const id = created.json().image_id as string;
      const stored = (await t.store.images.get(id))?.registry_auth_encrypted ?? '';
      assert.match(stored, /^v1:/);
      assert.ok(!stored.includes(PASSWORD));
      assert.deepEqual(box.openRegistryAuth(stored), { username: 'puller', password: PASSWORD, serveraddress: 'reg.example:5000' });
      for (const url of [`/images/${id}`, '/images']) {
        const body = (await admin('GET', url)).body;
        assert.ok(!body.includes(PASSWORD) && !body.includes(stored), `${url} shows the secret`);
      }
      // an update of another field keeps them; the audit keeps neither password nor ciphertext
      const renamed = await admin('PATCH', `/images/${id}`, { friendly_name: 'Private desk' });
      assert.equal(renamed.json().has_registry_auth, true);
      assert.equal((await t.store.images.get(id))?.registry_auth_encrypted, stored);
      const cleared = await admin('PATCH', `/images/${id}`, { registry_auth: null });
      assert.equal(cleared.statusCode, 200, cleared.body);
      assert.equal(cleared.json().has_registry_auth, false);
      assert.equal((await t.store.images.get(id))?.registry_auth_encrypted, null);
      const audit = JSON.stringify(await t.store.audit.list({ target_id: id }));
      assert.ok(audit.includes('"has_registry_auth":true'), 'the audit says credentials were set');
      assert.ok(!audit.includes(PASSWORD) && !audit.includes(stored), 'the audit log holds the secret');
    });

    it('refuses malformed credentials with 400 and changes nothing', async () => {
      for (const bad of [{ username: 'u' }, { password: 'p' }, { username: '', password: 'p' }, { username: 'u', password: 'p', extra: 1 }, 'u:p', { username: 'u\n', password: 'p' }]) {
        const r = await admin('POST', '/images', { name: 'bad', docker_image: 'x:1', registry_auth: bad });
        assert.equal(r.statusCode, 400, `${JSON.stringify(bad)}: ${r.body}`);
        assert.ok(!r.body.includes('"p"'));
      }
      assert.equal(await t.store.images.getByName('bad'), undefined);
    });
  });
}

describe('API registry_auth without a secret box', () => {
  let t: TestApp;
  before(async () => { t = await makeTestApp('sqlite'); });
  after(async () => { await t?.cleanup(); });

  it('answers 400 saying there is no key, and stores nothing', async () => {
    const r = await t.call(t.adminToken, { method: 'POST', url: '/api/v1/images', payload: { name: 'p', docker_image: 'x:1', registry_auth: { username: 'u', password: PASSWORD } } });
    assert.equal(r.statusCode, 400, r.body);
    assert.match(r.body, /registry_auth.*no secret key/);
    assert.ok(!r.body.includes(PASSWORD));
    assert.equal(await t.store.images.getByName('p'), undefined);
  });
});
