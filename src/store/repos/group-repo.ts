import type { Kysely, Selectable, Updateable } from 'kysely';
import { translateConstraints, type ConstraintRules } from '../constraint-errors.js';
import type { Database, GroupsTable } from '../schema.js';
import { ALL_USERS_GROUP_ID, ALL_USERS_GROUP_NAME } from '../system-groups.js';
import { ConflictError, type GroupRecord, type GroupRepo } from '../types.js';
import { definedOnly, fromJson, isoTimestamp, nameKey, nowIso, toJson } from '../values.js';
import { atomically, type RepoContext } from './repo-context.js';
import { ReusableQuery } from './reusable-query.js';
import { hasNul } from '../nul-guard-plugin.js';
import { storedGroupSettings } from '../stored-mappings.js';
import { userFromRow } from './user-repo.js';

function rules(name: string | undefined, priority: number | undefined, groupId: string): ConstraintRules {
  return {
    unique: {
      name_key: { field: 'name', message: `a group named ${JSON.stringify(name)} already exists (group names are case-insensitive)` },
      priority: { field: 'priority', message: `a group with priority ${priority} already exists` },
      group_id: { field: 'group_id', message: `a group with id ${groupId} already exists` },
    },
  };
}

/** name_key (the lookup key) is not part of the record; the hot reads leave it out. */
function groupFromRow(r: Omit<Selectable<GroupsTable>, 'name_key'>): GroupRecord {
  return {
    group_id: r.group_id,
    name: r.name,
    priority: r.priority,
    system: Boolean(r.system),
    settings: storedGroupSettings(r.settings, `groups.settings of ${r.group_id}`),
    created_at: r.created_at,
    updated_at: r.updated_at,
  };
}

/** Removes a deleted group's id from every image's `groups` list. */
async function forgetGroupInImages(db: Kysely<Database>, groupId: string): Promise<void> {
  // A UUID has no LIKE wildcards; the JSON check below makes the match exact anyway.
  const images = await db.selectFrom('images').select(['image_id', 'groups']).where('groups', 'like', `%${groupId}%`).execute();
  for (const img of images) {
    const groups = fromJson<string[]>(img.groups, `images.groups of ${img.image_id}`);
    const kept = groups.filter((g) => g !== groupId);
    if (kept.length !== groups.length) {
      await db.updateTable('images').set({ groups: toJson(kept) }).where('image_id', '=', img.image_id).execute();
    }
  }
}

export function createGroupRepo(ctx: RepoContext): GroupRepo {
  const { db, dialect } = ctx;
  const select = () => db.selectFrom('groups').selectAll();
  const getRow = async (q: Kysely<Database>, groupId: string) =>
    q.selectFrom('groups').selectAll().where('group_id', '=', groupId).executeTakeFirst();
  // Read on API requests that need the caller's groups: compiled once (see reusable-query.ts).
  const groupsOfUser = new ReusableQuery(db, 1, (q, userId: string) =>
    q.selectFrom('group_members as m').innerJoin('groups as g', 'g.group_id', 'm.group_id')
      .select(['g.group_id', 'g.name', 'g.priority', 'g.system', 'g.settings', 'g.created_at', 'g.updated_at'])
      .where('m.user_id', '=', userId).orderBy('g.priority'));
  return {
    async create(g) {
      await translateConstraints(dialect, rules(g.name, g.priority, g.group_id), () =>
        db
          .insertInto('groups')
          .values({
            group_id: g.group_id,
            name: g.name,
            name_key: nameKey(g.name),
            priority: g.priority,
            system: dialect.bool(g.system),
            settings: toJson(g.settings),
            created_at: isoTimestamp(g.created_at, 'group.created_at'),
            updated_at: isoTimestamp(g.updated_at, 'group.updated_at'),
          })
          .execute(),
      );
    },
    async get(groupId) {
      if (hasNul(groupId)) return undefined; // nothing stored can hold U+0000
      const r = await select().where('group_id', '=', groupId).executeTakeFirst();
      return r && groupFromRow(r);
    },
    async getByName(name) {
      if (hasNul(name)) return undefined; // nothing stored can hold U+0000
      const r = await select().where('name_key', '=', nameKey(name)).executeTakeFirst();
      return r && groupFromRow(r);
    },
    async list() {
      return (await select().orderBy('priority').execute()).map(groupFromRow);
    },
    async update(groupId, patch) {
      const p = definedOnly(patch);
      const set: Updateable<GroupsTable> = { updated_at: isoTimestamp(p.updated_at ?? nowIso(), 'group.updated_at') };
      if (p.name !== undefined) Object.assign(set, { name: p.name, name_key: nameKey(p.name) });
      if (p.priority !== undefined) set.priority = p.priority;
      if (p.settings !== undefined) set.settings = toJson(p.settings);
      await translateConstraints(dialect, rules(p.name, p.priority, groupId), () =>
        atomically(ctx, async (tx) => {
          const current = await getRow(tx, groupId);
          if (current && Boolean(current.system) && p.name !== undefined && p.name !== current.name) {
            throw new ConflictError(`the system group ${JSON.stringify(current.name)} cannot be renamed`, 'name');
          }
          await tx.updateTable('groups').set(set).where('group_id', '=', groupId).execute();
        }),
      );
    },
    async delete(groupId) {
      await atomically(ctx, async (tx) => {
        const current = await getRow(tx, groupId);
        if (!current) return;
        if (current.system) {
          throw new ConflictError(`the system group ${JSON.stringify(current.name)} cannot be deleted`, 'group_id');
        }
        await tx.deleteFrom('groups').where('group_id', '=', groupId).execute(); // memberships: ON DELETE CASCADE
        await forgetGroupInImages(tx, groupId);
      });
    },
    async addMember(groupId, userId) {
      // Idempotent: adding an existing member changes nothing.
      await translateConstraints(
        dialect,
        { unique: {}, foreignKey: { field: 'group_id', message: `cannot add user ${userId} to group ${groupId}: the user or the group does not exist` } },
        () =>
          db
            .insertInto('group_members')
            .values({ group_id: groupId, user_id: userId })
            .onConflict((oc) => oc.columns(['group_id', 'user_id']).doNothing())
            .execute(),
      );
    },
    async removeMember(groupId, userId) {
      if (groupId === ALL_USERS_GROUP_ID) {
        throw new ConflictError(`every user is a member of ${JSON.stringify(ALL_USERS_GROUP_NAME)}; the membership cannot be removed`, 'group_id');
      }
      await db.deleteFrom('group_members').where('group_id', '=', groupId).where('user_id', '=', userId).execute();
    },
    async members(groupId) {
      const rows = await db
        .selectFrom('group_members as m')
        .innerJoin('users as u', 'u.user_id', 'm.user_id')
        .selectAll('u')
        .where('m.group_id', '=', groupId)
        .orderBy('u.username_key')
        .execute();
      return rows.map(userFromRow);
    },
    async groupsOf(userId) {
      return (await groupsOfUser.execute(userId)).map(groupFromRow);
    },
  };
}
