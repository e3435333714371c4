// TokenRepo.getCredential, the one query authentication makes per request, on every store:
// token + owner + admin flag, and every state that must make authentication fail is visible
// (revoked, expired, disabled, admin membership removed) on the very next call: nothing cached.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ADMINISTRATORS_GROUP_ID } from '../src/store/system-groups.js';
import { storeForSuite, storeKinds } from './helpers/databases.js';
import { makeToken, makeUser } from './helpers/store-records.js';

for (const kind of storeKinds) {
  describe(`token credential: ${kind}`, () => {
    const db = storeForSuite(kind);

    test('returns the token, its owner and the admin flag; follows changes immediately', async () => {
      const user = makeUser();
      await db.store.users.create(user);
      const token = makeToken(user.user_id);
      await db.store.tokens.create(token);
      assert.deepEqual(await db.store.tokens.getCredential(token.digest), { token, user, isAdmin: false });

      await db.store.groups.addMember(ADMINISTRATORS_GROUP_ID, user.user_id);
      assert.equal((await db.store.tokens.getCredential(token.digest))?.isAdmin, true);
      await db.store.groups.removeMember(ADMINISTRATORS_GROUP_ID, user.user_id);
      assert.equal((await db.store.tokens.getCredential(token.digest))?.isAdmin, false);

      await db.store.users.update(user.user_id, { disabled: true });
      assert.equal((await db.store.tokens.getCredential(token.digest))?.user?.disabled, true);
      const revokedAt = '2026-03-04T05:06:07.000Z';
      await db.store.tokens.update(token.token_id, { revoked_at: revokedAt });
      assert.equal((await db.store.tokens.getCredential(token.digest))?.token.revoked_at, revokedAt);

      // The same lookups inside a transaction see the transaction's own writes.
      await db.store.transaction(async (tx) => {
        await tx.groups.addMember(ADMINISTRATORS_GROUP_ID, user.user_id);
        assert.equal((await tx.tokens.getCredential(token.digest))?.isAdmin, true);
      });

      await db.store.users.delete(user.user_id); // tokens go with the user
      assert.equal(await db.store.tokens.getCredential(token.digest), undefined);
    });

    test('unknown digests and digests holding U+0000 find nothing', async () => {
      assert.equal(await db.store.tokens.getCredential('0'.repeat(64)), undefined);
      assert.equal(await db.store.tokens.getCredential('ab\u0000cd'), undefined);
    });

    test('groupsOf and the image reads still refuse or ignore U+0000 as before', async () => {
      await assert.rejects(db.store.groups.groupsOf('x\u0000y'), /NUL character \(U\+0000\)/);
      assert.equal(await db.store.images.get('x\u0000y'), undefined);
      assert.equal(await db.store.images.getByName('x\u0000y'), undefined);
    });
  });
}
