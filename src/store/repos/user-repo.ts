import type { Kysely, Selectable, Updateable } from 'kysely';
import { translateConstraints, type ConstraintRules } from '../constraint-errors.js';
import type { Database, UsersTable } from '../schema.js';
import { ALL_USERS_GROUP_ID } from '../system-groups.js';
import { RetiredNameError, type NameOptions, type RetiredUsername, type UserRecord, type UserRepo } from '../types.js';
import { definedOnly, isoTimestamp, nameKey, nowIso } from '../values.js';
import { atomically, type RepoContext } from './repo-context.js';
import { hasNul } from '../nul-guard-plugin.js';

function rules(username: string | undefined, userId: string): ConstraintRules {
  return {
    unique: {
      username_key: { field: 'username', message: `a user named ${JSON.stringify(username)} already exists (usernames are case-insensitive)` },
      user_id: { field: 'user_id', message: `a user with id ${userId} already exists` },
    },
  };
}

export function userFromRow(r: Selectable<UsersTable>): UserRecord {
  return {
    user_id: r.user_id,
    username: r.username,
    password_hash: r.password_hash,
    disabled: Boolean(r.disabled),
    created_at: r.created_at,
    updated_at: r.updated_at,
  };
}

async function retiredIn(db: Kysely<Database>, username: string): Promise<RetiredUsername | undefined> {
  const r = await db.selectFrom('retired_usernames').select(['username', 'user_id', 'retired_at']).where('username_key', '=', nameKey(username)).executeTakeFirst();
  return r && { username: r.username, user_id: r.user_id, retired_at: r.retired_at };
}

/** Refuses a retired name to anyone but its last holder, unless the caller allows the reuse. */
async function assertNameFree(db: Kysely<Database>, username: string, userId: string, opts: NameOptions | undefined): Promise<void> {
  if (opts?.reuseRetiredName === true) return;
  const retired = await retiredIn(db, username);
  if (retired && retired.user_id !== userId) throw new RetiredNameError(retired);
}

/** Records (or refreshes) a name as retired by its last holder. */
async function retire(db: Kysely<Database>, username: string, userId: string, at: string): Promise<void> {
  const values = { username_key: nameKey(username), username, user_id: userId, retired_at: at };
  await db.insertInto('retired_usernames').values(values)
    .onConflict((oc) => oc.column('username_key').doUpdateSet({ username, user_id: userId, retired_at: at }))
    .execute();
}

export function createUserRepo(ctx: RepoContext): UserRepo {
  const { db, dialect } = ctx;
  const select = () => db.selectFrom('users').selectAll();
  return {
    async create(u, opts) {
      // Every user is in "All Users": the membership is written with the user.
      await translateConstraints(dialect, rules(u.username, u.user_id), () =>
        atomically(ctx, async (tx: Kysely<Database>) => {
          await assertNameFree(tx, u.username, u.user_id, opts);
          await tx
            .insertInto('users')
            .values({
              user_id: u.user_id,
              username: u.username,
              username_key: nameKey(u.username),
              password_hash: u.password_hash,
              disabled: dialect.bool(u.disabled),
              created_at: isoTimestamp(u.created_at, 'user.created_at'),
              updated_at: isoTimestamp(u.updated_at, 'user.updated_at'),
            })
            .execute();
          await tx.insertInto('group_members').values({ group_id: ALL_USERS_GROUP_ID, user_id: u.user_id }).execute();
        }),
      );
    },
    async get(userId) {
      if (hasNul(userId)) return undefined; // nothing stored can hold U+0000
      const r = await select().where('user_id', '=', userId).executeTakeFirst();
      return r && userFromRow(r);
    },
    async getByUsername(username) {
      if (hasNul(username)) return undefined; // nothing stored can hold U+0000
      const r = await select().where('username_key', '=', nameKey(username)).executeTakeFirst();
      return r && userFromRow(r);
    },
    async list() {
      return (await select().orderBy('username_key').orderBy('user_id').execute()).map(userFromRow);
    },
    async update(userId, patch, opts) {
      const p = definedOnly(patch);
      const set: Updateable<UsersTable> = { updated_at: isoTimestamp(p.updated_at ?? nowIso(), 'user.updated_at') };
      if (p.username !== undefined) Object.assign(set, { username: p.username, username_key: nameKey(p.username) });
      if (p.password_hash !== undefined) set.password_hash = p.password_hash;
      if (p.disabled !== undefined) set.disabled = dialect.bool(p.disabled);
      await translateConstraints(dialect, rules(p.username, userId), () =>
        atomically(ctx, async (tx: Kysely<Database>) => {
          const before = p.username === undefined ? undefined : await tx.selectFrom('users').select('username').where('user_id', '=', userId).executeTakeFirst();
          // A rename retires the old name (its folders stay behind); the same name in another case is no rename.
          if (p.username !== undefined && before && nameKey(before.username) !== nameKey(p.username)) {
            await assertNameFree(tx, p.username, userId, opts);
            await retire(tx, before.username, userId, set.updated_at!);
          }
          await tx.updateTable('users').set(set).where('user_id', '=', userId).execute();
        }),
      );
    },
    async delete(userId) {
      // Memberships and tokens go with the user (ON DELETE CASCADE); sessions and audit keep the id.
      await atomically(ctx, async (tx: Kysely<Database>) => {
        const gone = await tx.deleteFrom('users').where('user_id', '=', userId).returning('username').executeTakeFirst();
        if (gone) await retire(tx, gone.username, userId, nowIso());
      });
    },
    async retiredName(username) {
      if (hasNul(username)) return undefined;
      return retiredIn(db, username);
    },
  };
}
