// The user and membership use-cases behind both APIs: /api/v1 (routes/users.ts,
// routes/members.ts) and the Kasm-compatible /api/public (kasm/). One set of rules: usernames
// validated, every user in "All Users", the last active administrator kept, a new password
// ends the user's login sessions, a user with sessions deleted only with force (which
// destroys the sessions first; host data is never touched), every change audited.
import { randomUUID } from 'node:crypto';
import { generatePassword, hashPassword } from '../auth/index.js';
import { validateUsername } from '../mappings/index.js';
import { ADMINISTRATORS_GROUP_ID, ALL_USERS_GROUP_ID } from '../store/system-groups.js';
import type { GroupRecord, SessionRecord, UserRecord } from '../store/types.js';
import { FINAL_STATES, type Actor } from '../sessions/index.js';
import type { AppDeps, Principal } from './types.js';
import { badRequest, conflict, notFound, type FieldValidation } from './http-error.js';
import { writeAudit, type ApiKeyActor } from './audit-log.js';
import { findGroup } from './lookup.js';
import { userJson } from './serialize.js';
import { activeAdministrators } from '../auth/index.js';
import type { Store } from '../store/types.js';

/** Refuses a change that would leave no administrator able to sign in. */
export async function assertNotLastAdmin(store: Store, userId: string, what: string): Promise<void> {
  const admins = await activeAdministrators(store);
  if (admins.length === 1 && admins[0] === userId) throw conflict(`cannot ${what} the last active administrator`);
}

/** Who acts: as the audit log names them, and as the session use-cases see them. */
export interface ActingAs {
  audit: Principal | ApiKeyActor;
  session: Actor;
}

interface Env {
  deps: AppDeps;
  now: () => Date;
  scryptN: number;
}

export interface NewUser {
  username: string;
  /** omitted: a random one nobody knows (the user signs in through a one-time link, or an administrator sets one) */
  password?: string;
  disabled?: boolean;
  /** group ids or names, beside "All Users" */
  groups?: string[];
  /** give a name an earlier (deleted or renamed) user held; without it such a name is 409 */
  reuseName?: boolean;
}

export async function createUser(env: Env, by: ActingAs, input: NewUser): Promise<UserRecord> {
  const { deps, now } = env;
  const problem = validateUsername(input.username);
  if (problem) throw badRequest('invalid username', { validations: [{ field: 'username', detail: problem }] });
  const extra: GroupRecord[] = [];
  const missing: FieldValidation[] = [];
  for (const [i, ref] of (input.groups ?? []).entries()) {
    const g = await findGroup(deps.store, ref);
    if (g) extra.push(g);
    else missing.push({ field: `groups[${i}]`, detail: `no group "${ref}"` });
  }
  if (missing.length > 0) throw badRequest('invalid user; nothing was changed', { validations: missing });
  const at = now().toISOString();
  const user: UserRecord = {
    user_id: randomUUID(), username: input.username, password_hash: await hashPassword(input.password ?? generatePassword(), env.scryptN),
    disabled: input.disabled ?? false, created_at: at, updated_at: at,
  };
  const groupIds = [...new Set([ALL_USERS_GROUP_ID, ...extra.map((g) => g.group_id)])];
  const reuseName = input.reuseName ?? false;
  await deps.store.transaction(async (tx) => {
    // a retired name is refused (409) unless reuseName; a reuse is audited with the earlier holder
    const retired = reuseName ? await tx.users.retiredName(user.username) : undefined;
    await tx.users.create(user, { reuseRetiredName: reuseName });
    for (const id of groupIds) await tx.groups.addMember(id, user.user_id);
    await writeAudit(tx, by.audit, now(), {
      action: 'user.create', target_type: 'user', target_id: user.user_id, target_name: user.username,
      after: { ...userJson(user), groups: groupIds, ...(retired ? { reused_name_of: retired } : {}) },
    });
  });
  return user;
}

export interface UserChange {
  disabled?: boolean;
  password?: string;
  /** a new name: the old one is retired */
  username?: string;
  /** with username: take a retired name */
  reuseName?: boolean;
}

/**
 * Disables/enables a user, sets their password or renames them; a new password or disabling
 * ends their login sessions and closes what they have open.
 */
export async function updateUser(env: Env, by: ActingAs, user: UserRecord, change: UserChange): Promise<UserRecord> {
  const { deps, now } = env;
  const { disabled, password, username, reuseName = false } = change;
  if (username !== undefined) {
    const problem = validateUsername(username);
    if (problem) throw badRequest('invalid username; nothing was changed', { validations: [{ field: 'username', detail: problem }] });
  }
  if (disabled === true && !user.disabled) await assertNotLastAdmin(deps.store, user.user_id, 'disable');
  const at = now();
  const patch: Partial<UserRecord> = { updated_at: at.toISOString() };
  const revoke = disabled === true ? 'user disabled' : password !== undefined ? 'password changed' : null;
  if (disabled !== undefined) patch.disabled = disabled;
  if (password !== undefined) patch.password_hash = await hashPassword(password, env.scryptN);
  if (username !== undefined && username !== user.username) patch.username = username;
  await deps.store.transaction(async (tx) => {
    const retired = patch.username !== undefined && reuseName ? await tx.users.retiredName(patch.username) : undefined;
    // a rename to a retired name is refused (409) unless reuseName; the old name is retired
    await tx.users.update(user.user_id, patch, { reuseRetiredName: reuseName });
    if (patch.username !== undefined) {
      await writeAudit(tx, by.audit, at, {
        action: 'user.rename', target_type: 'user', target_id: user.user_id, target_name: patch.username,
        before: { username: user.username }, after: { username: patch.username, ...(retired && retired.user_id !== user.user_id ? { reused_name_of: retired } : {}) },
      });
    }
    if (password !== undefined) {
      for (const t of await tx.tokens.list({ user_id: user.user_id, kind: 'login' })) {
        if (t.revoked_at === null) await tx.tokens.update(t.token_id, { revoked_at: at.toISOString() });
      }
    }
    if (disabled === undefined && password === undefined) return;
    const action = disabled === undefined ? 'user.password' : disabled ? 'user.disable' : 'user.enable';
    await writeAudit(tx, by.audit, at, {
      action, target_type: 'user', target_id: user.user_id, target_name: patch.username ?? user.username,
      before: { disabled: user.disabled }, after: { disabled: disabled ?? user.disabled, password_changed: password !== undefined },
    });
  });
  // open terminals and app access end now, whatever credential opened them
  if (revoke) deps.revocations?.publish({ kind: 'user', userId: user.user_id, reason: revoke });
  return { ...user, ...patch };
}

/** Ends every login session of the user (Kasm's logout_user); API tokens stay. Returns how many ended. */
export async function logoutUser(env: Env, by: ActingAs, user: UserRecord): Promise<number> {
  const { deps, now } = env;
  const at = now();
  const ended: string[] = [];
  await deps.store.transaction(async (tx) => {
    for (const t of await tx.tokens.list({ user_id: user.user_id, kind: 'login' })) {
      if (t.revoked_at !== null || (t.expires_at !== null && Date.parse(t.expires_at) <= at.getTime())) continue;
      await tx.tokens.update(t.token_id, { revoked_at: at.toISOString() });
      ended.push(t.token_id);
    }
    await writeAudit(tx, by.audit, at, { action: 'user.logout', target_type: 'user', target_id: user.user_id, target_name: user.username, after: { login_sessions_ended: ended.length } });
  });
  for (const tokenId of ended) deps.revocations?.publish({ kind: 'token', tokenId, reason: 'signed out by an administrator' });
  return ended.length;
}

/**
 * Deletes a user. Sessions not yet destroyed: 409, unless `force`, which disables the user
 * first (no sign-in or launch of theirs meanwhile), destroys the sessions and waits for them,
 * then deletes. A failure leaves the user disabled, not deleted, and says which session.
 */
export async function deleteUser(env: Env, by: ActingAs, user: UserRecord, opts: { force: boolean; forceHint: string }): Promise<string[]> {
  const { deps, now } = env;
  await assertNotLastAdmin(deps.store, user.user_id, 'delete');
  const live = (await deps.store.sessions.list({ user_id: user.user_id })).filter((s) => !FINAL_STATES.includes(s.state));
  if (live.length > 0 && !opts.force) {
    throw conflict(`user "${user.username}" has ${live.length} session(s) not destroyed yet (${live.map((s) => s.session_id).join(', ')}): destroy them first, or delete with ${opts.forceHint}, which destroys them; their host folders are kept`);
  }
  if (live.length > 0) await destroyAllOf(env, by, user, live);
  await deps.store.transaction(async (tx) => {
    await tx.users.delete(user.user_id);
    await writeAudit(tx, by.audit, now(), {
      action: 'user.delete', target_type: 'user', target_id: user.user_id, target_name: user.username,
      before: userJson(user), after: { destroyed_sessions: live.map((s) => s.session_id) },
    });
  });
  deps.revocations?.publish({ kind: 'user', userId: user.user_id, reason: 'user deleted' });
  return live.map((s) => s.session_id);
}

async function destroyAllOf(env: Env, by: ActingAs, user: UserRecord, live: SessionRecord[]): Promise<void> {
  const { deps, now } = env;
  const manager = deps.sessions;
  if (!manager) throw conflict(`user "${user.username}" has sessions, and this server runs without the session service to destroy them`);
  if (!user.disabled) await deps.store.users.update(user.user_id, { disabled: true, updated_at: now().toISOString() });
  deps.revocations?.publish({ kind: 'user', userId: user.user_id, reason: 'user deleted' });
  const results = await Promise.allSettled(live.map(async (s) => {
    const { done } = await manager.beginDestroy(s.session_id, by.session);
    await writeAudit(deps.store, by.audit, now(), { action: 'session.destroy', target_type: 'session', target_id: s.session_id, target_name: null, after: { reason: 'user deleted' } });
    return done;
  }));
  const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [`${live[i]?.session_id}: ${r.reason instanceof Error ? r.reason.message : String(r.reason)}`] : []));
  if (failed.length > 0) throw conflict(`user "${user.username}" is disabled but not deleted: could not destroy ${failed.join('; ')}`);
}

/** Adds a user to a group; already a member: 409. */
export async function addToGroup(env: Env, by: ActingAs, group: GroupRecord, user: UserRecord): Promise<void> {
  const { deps, now } = env;
  const current = await deps.store.groups.groupsOf(user.user_id);
  if (current.some((g) => g.group_id === group.group_id)) throw conflict(`user "${user.username}" is already a member of "${group.name}"`);
  await deps.store.transaction(async (tx) => {
    await tx.groups.addMember(group.group_id, user.user_id);
    await writeAudit(tx, by.audit, now(), {
      action: 'group.member.add', target_type: 'group', target_id: group.group_id, target_name: group.name, after: { user_id: user.user_id, username: user.username },
    });
  });
}

/** Removes a user from a group: never from "All Users", never the last active administrator from "Administrators"; not a member: 404. */
export async function removeFromGroup(env: Env, by: ActingAs, group: GroupRecord, user: UserRecord): Promise<void> {
  const { deps, now } = env;
  if (group.group_id === ALL_USERS_GROUP_ID) throw conflict('every user stays in "All Users"; delete or disable the user instead');
  const current = await deps.store.groups.groupsOf(user.user_id);
  if (!current.some((g) => g.group_id === group.group_id)) throw notFound(`membership of "${user.username}" in "${group.name}"`);
  if (group.group_id === ADMINISTRATORS_GROUP_ID) await assertNotLastAdmin(deps.store, user.user_id, 'remove from "Administrators"');
  await deps.store.transaction(async (tx) => {
    await tx.groups.removeMember(group.group_id, user.user_id);
    await writeAudit(tx, by.audit, now(), {
      action: 'group.member.remove', target_type: 'group', target_id: group.group_id, target_name: group.name, before: { user_id: user.user_id, username: user.username },
    });
  });
}

/** A signed-in caller of /api/v1, as the use-cases take it. */
export function actingAsPrincipal(me: Principal): ActingAs {
  return { audit: me, session: { user_id: me.user.user_id, username: me.user.username, isAdmin: me.isAdmin } };
}
