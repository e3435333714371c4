// What the API keeps between requests never outlives the data it came from: the image
// listing (src/api/image-listing.ts) is kept under the store's change mark, and every change
// is seen by the very next request, whoever made it: a route, this process's store directly,
// another connection (as another server process), or `tether admin` in a child process.
// The same for credentials (src/api/kept-credentials.ts): a revocation or a disabled user is
// refused on the next request, an expired token at its expiry.
// On every store kind (PostgreSQL has no change mark: nothing is kept there, and the same
// assertions hold).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openStore } from '../src/store/open-store.js';
import type { Store } from '../src/store/types.js';
import { makeTestApp, type TestApp } from './helpers/app.js';
import { runTether } from './helpers/cli.js';
import { storeKinds } from './helpers/databases.js';
import { makeGroup, makeImage } from './helpers/store-records.js';

const names = async (t: TestApp, token: string): Promise<string[]> => {
  const res = await t.call(token, { url: '/api/v1/images' });
  assert.equal(res.statusCode, 200, res.body);
  return (JSON.parse(res.body) as Array<{ name: string }>).map((i) => i.name).sort();
};

for (const kind of storeKinds) {
  describe(`kept reads never stale: ${kind}`, () => {
    let t: TestApp;
    let other: Store; // another connection to the same database, as another process has
    before(async () => {
      t = await makeTestApp(kind);
      other = await openStore(t.url);
    });
    after(async () => {
      await other?.close();
      await t?.cleanup();
    });

    test('the change mark: moves with every write of this process and every commit of another, not with reads', async () => {
      const mark = () => t.store.changeMark();
      if (kind === 'postgres') {
        assert.equal(mark(), undefined, 'PostgreSQL cannot see other servers\' commits: no mark, nothing kept');
        return;
      }
      const m0 = mark();
      assert.equal(typeof m0, 'string');
      await t.store.images.list();
      assert.equal(mark(), m0, 'a read changes nothing');
      await t.store.images.create(makeImage());
      const m1 = mark();
      assert.notEqual(m1, m0, 'a write of this process');
      await other.images.create(makeImage());
      const m2 = mark();
      assert.notEqual(m2, m1, 'a commit of another connection');
      await t.store.transaction(async (tx) => {
        assert.equal(tx.changeMark(), undefined, 'inside a transaction: its writes are not committed yet');
        await tx.images.create(makeImage());
      });
      assert.notEqual(mark(), m2, 'a transaction');
    });

    test('images: every write, by a route, this store, another connection, is in the next listing', async () => {
      const before = await names(t, t.adminToken);
      const created = await t.call(t.adminToken, { method: 'POST', url: '/api/v1/images', payload: { name: 'kept-a', docker_image: 'kasmweb/a:1' } });
      assert.equal(created.statusCode, 201, created.body);
      assert.deepEqual(await names(t, t.adminToken), [...before, 'kept-a'].sort());
      assert.deepEqual(await names(t, t.adminToken), [...before, 'kept-a'].sort(), 'twice: the kept listing');

      const renamed = await t.call(t.adminToken, { method: 'PATCH', url: '/api/v1/images/kept-a', payload: { name: 'kept-b', friendly_name: 'B' } });
      assert.equal(renamed.statusCode, 200, renamed.body);
      const listed = JSON.parse((await t.call(t.adminToken, { url: '/api/v1/images' })).body) as Array<{ name: string; friendly_name: string }>;
      assert.equal(listed.find((i) => i.name === 'kept-b')?.friendly_name, 'B');
      assert.ok(!listed.some((i) => i.name === 'kept-a'));

      const direct = makeImage({ name: 'kept-direct' });
      await t.store.images.create(direct);
      assert.ok((await names(t, t.adminToken)).includes('kept-direct'), 'a write of this process\'s store');

      const elsewhere = makeImage({ name: 'kept-elsewhere' });
      await other.images.create(elsewhere);
      assert.ok((await names(t, t.adminToken)).includes('kept-elsewhere'), 'a commit of another connection');
      await other.images.update(elsewhere.image_id, { name: 'kept-elsewhere-2' });
      const afterRename = await names(t, t.adminToken);
      assert.ok(afterRename.includes('kept-elsewhere-2') && !afterRename.includes('kept-elsewhere'), 'an update by another connection');
      await other.images.delete(elsewhere.image_id);
      assert.ok(!(await names(t, t.adminToken)).includes('kept-elsewhere-2'), 'a delete by another connection');

      const deleted = await t.call(t.adminToken, { method: 'DELETE', url: '/api/v1/images/kept-b' });
      assert.equal(deleted.statusCode, 204, deleted.body);
      assert.deepEqual(await names(t, t.adminToken), [...before, 'kept-direct'].sort());
    });

    test('images: a user sees what their groups open, as their membership and the image change', async () => {
      const { user, token } = await t.makeUser(`viewer-${kind}`);
      const group = makeGroup();
      await t.store.groups.create(group);
      const restricted = makeImage({ name: 'kept-restricted', groups: [group.group_id] });
      await t.store.images.create(restricted);
      await names(t, t.adminToken); // the listing is kept, now holding the restricted image
      assert.ok(!(await names(t, token)).includes('kept-restricted'));
      await other.groups.addMember(group.group_id, user.user_id);
      assert.ok((await names(t, token)).includes('kept-restricted'), 'membership added by another connection');
      await other.images.update(restricted.image_id, { enabled: false });
      assert.ok(!(await names(t, token)).includes('kept-restricted'), 'disabled by another connection');
      assert.ok((await names(t, t.adminToken)).includes('kept-restricted'), 'administrators see disabled images');
    });

    test('credentials: revoked or disabled, by a route, another connection or `tether admin`, refused on the next request', async () => {
      const { user, token } = await t.makeUser(`revoked-${kind}`, { password: 'password-1234' });
      await names(t, token);
      const mine = JSON.parse((await t.call(token, { url: '/api/v1/tokens' })).body) as Array<{ token_id: string }>;
      assert.equal(mine.length, 1);
      const revoke = await t.call(token, { method: 'DELETE', url: `/api/v1/tokens/${mine[0]!.token_id}` });
      assert.equal(revoke.statusCode, 204, revoke.body);
      assert.equal((await t.call(token, { url: '/api/v1/images' })).statusCode, 401, 'revoked through the API');

      const second = await t.makeToken(user.user_id);
      await names(t, second);
      await other.users.update(user.user_id, { disabled: true });
      assert.equal((await t.call(second, { url: '/api/v1/images' })).statusCode, 401, 'user disabled by another connection');
      await other.users.update(user.user_id, { disabled: false });
      await names(t, second);

      const login = await t.makeToken(user.user_id, { kind: 'login' });
      await names(t, login);
      const reset = await runTether(['admin', 'reset-password', '--username', user.username, '--password-stdin', '--database', t.url], { stdin: 'another-password-5678\n' });
      assert.equal(reset.code, 0, reset.stderr);
      assert.equal((await t.call(login, { url: '/api/v1/images' })).statusCode, 401, 'login ended by `tether admin reset-password` in another process');
      await names(t, second); // an API token survives a password reset
    });

    test('credentials: a kept credential still expires on time (no write in between)', async () => {
      let clock = new Date();
      const c = await makeTestApp(kind, { now: () => clock });
      try {
        const { user } = await c.makeUser('expiring');
        const token = await c.makeToken(user.user_id, { expiresAt: new Date(clock.getTime() + 60_000).toISOString() });
        await names(c, token);
        await names(c, token); // kept by now
        clock = new Date(clock.getTime() + 60_001);
        assert.equal((await c.call(token, { url: '/api/v1/images' })).statusCode, 401);
      } finally {
        await c.cleanup();
      }
    });
  });
}
