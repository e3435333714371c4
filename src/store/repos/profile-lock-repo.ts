// The one-writer rule of persistent profiles, kept by the database: one row per profile path
// (its primary key). Acquiring inserts the row or takes over a row whose session is no longer
// live; every write is a single conditional statement, so two racing launches (in one process,
// two servers, or two nodes) cannot both win.
import type { Selectable } from 'kysely';
import type { ProfileLocksTable } from '../schema.js';
import type { ProfileLockRecord, ProfileLockRepo, SessionState } from '../types.js';
import { isoTimestamp } from '../values.js';
import type { RepoContext } from './repo-context.js';
import { hasNul } from '../nul-guard-plugin.js';

function lockFromRow(r: Selectable<ProfileLocksTable>): ProfileLockRecord {
  return { profile_path: r.profile_path, session_id: r.session_id, user_id: r.user_id, image_id: r.image_id, acquired_at: r.acquired_at };
}

/** A few rounds settle any race: each lost round means someone else's write landed. */
const ACQUIRE_ROUNDS = 5;

export function createProfileLockRepo(ctx: RepoContext): ProfileLockRepo {
  const { db } = ctx;
  const byPath = (path: string) => db.selectFrom('profile_locks').selectAll().where('profile_path', '=', path).executeTakeFirst();
  const stateOf = async (sessionId: string): Promise<SessionState | undefined> =>
    (await db.selectFrom('sessions').select('state').where('session_id', '=', sessionId).executeTakeFirst())?.state as SessionState | undefined;
  return {
    async acquire(lock, liveStates) {
      const row = { ...lock, acquired_at: isoTimestamp(lock.acquired_at, 'profile_lock.acquired_at') };
      let holder: ProfileLockRecord | undefined;
      for (let round = 0; round < ACQUIRE_ROUNDS; round++) {
        const inserted = await db.insertInto('profile_locks').values(row).onConflict((oc) => oc.column('profile_path').doNothing()).executeTakeFirst();
        if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 1) return { acquired: true };
        const found = await byPath(lock.profile_path);
        if (!found) continue; // released meanwhile: insert again
        holder = lockFromRow(found);
        if (holder.session_id === lock.session_id) return { acquired: true };
        const state = await stateOf(holder.session_id);
        if (state !== undefined && liveStates.includes(state)) return { acquired: false, holder };
        // the holder's session ended without releasing (crash): take over, only from that holder
        const taken = await db.updateTable('profile_locks').set(row)
          .where('profile_path', '=', lock.profile_path).where('session_id', '=', holder.session_id)
          .executeTakeFirst();
        if (Number(taken.numUpdatedRows) === 1) return { acquired: true };
      }
      const last = await byPath(lock.profile_path);
      if (!last) throw new Error(`store: could not settle the lock of profile ${JSON.stringify(lock.profile_path)} in ${ACQUIRE_ROUNDS} rounds`);
      return { acquired: false, holder: lockFromRow(last) };
    },
    async release(sessionId) {
      if (hasNul(sessionId)) return 0;
      const res = await db.deleteFrom('profile_locks').where('session_id', '=', sessionId).executeTakeFirst();
      return Number(res.numDeletedRows);
    },
    async get(profilePath) {
      if (hasNul(profilePath)) return undefined;
      const r = await byPath(profilePath);
      return r && lockFromRow(r);
    },
    async list() {
      return (await db.selectFrom('profile_locks').selectAll().orderBy('profile_path').execute()).map(lockFromRow);
    },
    async releaseStale(liveStates) {
      const locks = (await db.selectFrom('profile_locks').selectAll().execute()).map(lockFromRow);
      const released: ProfileLockRecord[] = [];
      for (const l of locks) {
        const state = await stateOf(l.session_id);
        if (state !== undefined && liveStates.includes(state)) continue;
        // by path AND holder: a lock taken over meanwhile by a new session stays
        const res = await db.deleteFrom('profile_locks').where('profile_path', '=', l.profile_path).where('session_id', '=', l.session_id).executeTakeFirst();
        if (Number(res.numDeletedRows) === 1) released.push(l);
      }
      return released;
    },
  };
}
