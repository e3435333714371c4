// The store's side of persistent profiles (migration 0006), on SQLite and PostgreSQL: the
// image's profile settings round-trip, and the profile lock admits one writer, also when
// twenty launches race, also through a second connection (another server), and a lock
// whose session ended is taken over or swept.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { openStore } from '../src/store/open-store.js';
import type { ProfileLockRecord, SessionState, Store } from '../src/store/types.js';
import { storeForSuite, storeKinds } from './helpers/databases.js';
import { makeImage, makeSession } from './helpers/store-records.js';

const LIVE: SessionState[] = ['requested', 'preparing', 'starting', 'running', 'stopping'];
const T = '2026-03-01T10:00:00.000Z';

function lockFor(path: string, sessionId: string): ProfileLockRecord {
  return { profile_path: path, session_id: sessionId, user_id: randomUUID(), image_id: randomUUID(), acquired_at: T };
}

/** What a launch does: create the session and take the profile in one transaction; refused = nothing stored. */
async function launch(store: Store, path: string): Promise<{ sessionId: string; acquired: boolean; holder?: string }> {
  const s = makeSession();
  try {
    await store.transaction(async (tx) => {
      await tx.sessions.create(s);
      const r = await tx.profileLocks.acquire(lockFor(path, s.session_id), LIVE);
      if (!r.acquired) throw Object.assign(new Error('refused'), { holder: r.holder.session_id });
    });
    return { sessionId: s.session_id, acquired: true };
  } catch (err) {
    const holder = (err as { holder?: string }).holder;
    if (holder === undefined) throw err;
    return { sessionId: s.session_id, acquired: false, holder };
  }
}

for (const kind of storeKinds) {
  describe(`store profile locks: ${kind}`, () => {
    const db = storeForSuite(kind);

    test('an image keeps profile_home and profile_timeout; images without them keep their shape', async () => {
      const img = makeImage({ persistent_profile_path: '/srv/p/{username}', profile_home: '/home/kasm-user', profile_timeout: 2.5 });
      await db.store.images.create(img);
      assert.deepEqual(await db.store.images.get(img.image_id), img);
      await db.store.images.update(img.image_id, { profile_home: null, profile_timeout: null, updated_at: T });
      const cleared = await db.store.images.get(img.image_id);
      assert.equal(cleared?.profile_home, undefined);
      assert.equal(cleared?.profile_timeout, undefined);
      const plain = makeImage();
      await db.store.images.create(plain);
      assert.deepEqual(await db.store.images.get(plain.image_id), plain);
    });

    test('one writer: a live holder refuses the second, is named, and releasing frees the profile', async () => {
      const path = `/srv/p/${randomUUID()}`;
      const first = await launch(db.store, path);
      assert.equal(first.acquired, true);
      const second = await launch(db.store, path);
      assert.deepEqual(second, { sessionId: second.sessionId, acquired: false, holder: first.sessionId });
      assert.equal(await db.store.sessions.get(second.sessionId), undefined, 'a refused launch leaves no session behind');
      assert.equal((await db.store.profileLocks.get(path))?.session_id, first.sessionId);
      assert.equal(await db.store.profileLocks.release(first.sessionId), 1);
      assert.equal(await db.store.profileLocks.get(path), undefined);
      assert.equal((await launch(db.store, path)).acquired, true);
    });

    test('a lock whose session ended without releasing it is taken over; releaseStale sweeps such locks only', async () => {
      const path = `/srv/p/${randomUUID()}`;
      const first = await launch(db.store, path);
      await db.store.sessions.update(first.sessionId, { state: 'failed' });
      const second = await launch(db.store, path);
      assert.equal(second.acquired, true);
      assert.equal((await db.store.profileLocks.get(path))?.session_id, second.sessionId);

      const livePath = `/srv/p/${randomUUID()}`;
      const deadPath = `/srv/p/${randomUUID()}`;
      const live = await launch(db.store, livePath);
      await db.store.sessions.update(live.sessionId, { state: 'running' });
      const dead = await launch(db.store, deadPath);
      await db.store.sessions.update(dead.sessionId, { state: 'destroyed' });
      // a lock of a session the store does not know (never committed) is stale too
      await db.store.profileLocks.acquire(lockFor(`/srv/p/${randomUUID()}`, randomUUID()), LIVE);
      const swept = (await db.store.profileLocks.releaseStale(LIVE)).map((l) => l.profile_path);
      assert.ok(swept.includes(deadPath));
      assert.ok(!swept.includes(livePath));
      assert.equal((await db.store.profileLocks.get(livePath))?.session_id, live.sessionId);
      assert.equal(await db.store.profileLocks.get(deadPath), undefined);
    });

    test('twenty launches racing for one profile (PostgreSQL: through two connections, as two servers): exactly one gets it', async () => {
      const path = `/srv/p/${randomUUID()}`;
      // better-sqlite3 waits for a busy file synchronously: two connections in ONE process would
      // block each other's thread, so on SQLite the race runs through one connection
      const other = kind === 'postgres' ? await openStore(db.url) : db.store;
      try {
        const results = await Promise.all(Array.from({ length: 20 }, (_, i) => launch(i % 2 === 0 ? db.store : other, path)));
        const winners = results.filter((r) => r.acquired);
        assert.equal(winners.length, 1, `expected one winner, got ${winners.length}`);
        for (const r of results.filter((x) => !x.acquired)) assert.equal(r.holder, winners[0]!.sessionId);
        assert.equal((await db.store.profileLocks.get(path))?.session_id, winners[0]!.sessionId);
      } finally {
        if (other !== db.store) await other.close();
      }
    });

    test('hostile profile paths are stored verbatim and NUL finds nothing', async () => {
      const path = `/srv/p/'; DROP TABLE profile_locks; -- ${randomUUID()} Ω`;
      assert.equal((await launch(db.store, path)).acquired, true);
      assert.equal((await db.store.profileLocks.get(path))?.profile_path, path);
      assert.equal(await db.store.profileLocks.get('\u0000'), undefined);
      assert.ok((await db.store.profileLocks.list()).some((l) => l.profile_path === path));
    });
  });
}
