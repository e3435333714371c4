// Users: administrators only. Every new user joins "All Users"; the last active
// administrator cannot be disabled or deleted (nobody could manage Tether any more).
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { DEFAULT_SCRYPT_N, activeAdministrators, hashPassword } from '../../auth/index.js';
import { validateUsername } from '../../mappings/index.js';
import { ALL_USERS_GROUP_ID } from '../../store/system-groups.js';
import type { GroupRecord, SessionRecord, Store, UserRecord } from '../../store/types.js';
import { FINAL_STATES, type SessionManager } from '../../sessions/index.js';
import type { AppDeps } from '../types.js';
import { badRequest, conflict, type FieldValidation } from '../http-error.js';
import { caller } from '../auth-hook.js';
import { clockOf } from '../clock.js';
import { writeAudit } from '../audit-log.js';
import { findGroup, requireUser } from '../lookup.js';
import { errorResponses, idParam, listOf, userSchema } from '../schemas.js';
import { userJson } from '../serialize.js';

const reuseNameSchema = {
  type: 'boolean',
  description: 'give a username that an earlier (deleted or renamed) user held: their {username} folders become this user\'s; without it such a name is 409',
} as const;

export const passwordSchema = { type: 'string', minLength: 8, maxLength: 1024, description: '8 to 1024 characters' } as const;
const params = idParam('id', 'user id or username');

/** Refuses a change that would leave no administrator able to sign in. */
export async function assertNotLastAdmin(store: Store, userId: string, what: string): Promise<void> {
  const admins = await activeAdministrators(store);
  if (admins.length === 1 && admins[0] === userId) throw conflict(`cannot ${what} the last active administrator`);
}

export async function userRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const now = clockOf(deps);
  const scryptN = deps.auth?.scryptN ?? DEFAULT_SCRYPT_N;
  const tags = ['users'];

  app.get('/users', {
    config: { access: 'admin' },
    schema: { summary: 'List users', tags, response: { 200: listOf(userSchema), ...errorResponses } },
  }, async () => (await deps.store.users.list()).map(userJson));

  app.post<{ Body: { username: string; password: string; groups?: string[]; reuse_name?: boolean } }>('/users', {
    config: { access: 'admin' },
    schema: {
      summary: 'Create a user (joins "All Users" and the groups given by id or name)',
      tags,
      body: {
        type: 'object', additionalProperties: false, required: ['username', 'password'],
        properties: {
          username: { type: 'string', maxLength: 200 },
          password: passwordSchema,
          groups: { type: 'array', maxItems: 1000, uniqueItems: true, items: { type: 'string', minLength: 1, maxLength: 200 } },
          reuse_name: reuseNameSchema,
        },
      },
      response: { 201: userSchema, ...errorResponses },
    },
  }, async (request, reply) => {
    const { username, password, groups = [], reuse_name: reuseName = false } = request.body;
    const problem = validateUsername(username);
    if (problem) throw badRequest('invalid username', { validations: [{ field: 'username', detail: problem }] });
    const extra: GroupRecord[] = [];
    const missing: FieldValidation[] = [];
    for (const [i, ref] of groups.entries()) {
      const g = await findGroup(deps.store, ref);
      if (g) extra.push(g);
      else missing.push({ field: `groups[${i}]`, detail: `no group "${ref}"` });
    }
    if (missing.length > 0) throw badRequest('invalid user; nothing was changed', { validations: missing });
    const at = now().toISOString();
    const user: UserRecord = {
      user_id: randomUUID(), username, password_hash: await hashPassword(password, scryptN), disabled: false, created_at: at, updated_at: at,
    };
    const groupIds = [...new Set([ALL_USERS_GROUP_ID, ...extra.map((g) => g.group_id)])];
    await deps.store.transaction(async (tx) => {
      // a retired name is refused (409) unless reuse_name; a reuse is audited with the earlier holder
      const retired = reuseName ? await tx.users.retiredName(username) : undefined;
      await tx.users.create(user, { reuseRetiredName: reuseName });
      for (const id of groupIds) await tx.groups.addMember(id, user.user_id);
      await writeAudit(tx, caller(request), now(), {
        action: 'user.create', target_type: 'user', target_id: user.user_id, target_name: username,
        after: { ...userJson(user), groups: groupIds, ...(retired ? { reused_name_of: retired } : {}) },
      });
    });
    return reply.status(201).send(userJson(user));
  });

  app.get<{ Params: { id: string } }>('/users/:id', {
    config: { access: 'admin' },
    schema: { summary: 'Show a user', tags, params, response: { 200: userSchema, ...errorResponses } },
  }, async (request) => userJson(await requireUser(deps.store, request.params.id)));

  app.patch<{ Params: { id: string }; Body: { disabled?: boolean; password?: string; username?: string; reuse_name?: boolean } }>('/users/:id', {
    config: { access: 'admin' },
    schema: {
      summary: 'Disable/enable a user, set their password (a new password ends their login sessions) or rename them (the old name is retired)',
      tags, params,
      body: {
        type: 'object', additionalProperties: false, minProperties: 1,
        properties: { disabled: { type: 'boolean' }, password: passwordSchema, username: { type: 'string', maxLength: 200 }, reuse_name: reuseNameSchema },
      },
      response: { 200: userSchema, ...errorResponses },
    },
  }, async (request) => {
    const user = await requireUser(deps.store, request.params.id);
    const { disabled, password, username, reuse_name: reuseName = false } = request.body;
    if (username !== undefined) {
      const problem = validateUsername(username);
      if (problem) throw badRequest('invalid username; nothing was changed', { validations: [{ field: 'username', detail: problem }] });
    } else if (request.body.reuse_name !== undefined) {
      throw badRequest('reuse_name goes with username; nothing was changed', { validations: [{ field: 'reuse_name', detail: 'only with a new username' }] });
    }
    if (disabled === true && !user.disabled) await assertNotLastAdmin(deps.store, user.user_id, 'disable');
    const at = now();
    const patch: Partial<UserRecord> = { updated_at: at.toISOString() };
    const revoke = disabled === true ? 'user disabled' : password !== undefined ? 'password changed' : null;
    if (disabled !== undefined) patch.disabled = disabled;
    if (password !== undefined) patch.password_hash = await hashPassword(password, scryptN);
    if (username !== undefined && username !== user.username) patch.username = username;
    await deps.store.transaction(async (tx) => {
      const retired = patch.username !== undefined && reuseName ? await tx.users.retiredName(patch.username) : undefined;
      // a rename to a retired name is refused (409) unless reuse_name; the old name is retired
      await tx.users.update(user.user_id, patch, { reuseRetiredName: reuseName });
      if (patch.username !== undefined) {
        await writeAudit(tx, caller(request), at, {
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
      await writeAudit(tx, caller(request), at, {
        action, target_type: 'user', target_id: user.user_id, target_name: patch.username ?? user.username,
        before: { disabled: user.disabled }, after: { disabled: disabled ?? user.disabled, password_changed: password !== undefined },
      });
    });
    // open terminals and app access end now, whatever credential opened them
    if (revoke) deps.revocations?.publish({ kind: 'user', userId: user.user_id, reason: revoke });
    return userJson({ ...user, ...patch });
  });

  app.delete<{ Params: { id: string }; Querystring: { force?: string } }>('/users/:id', {
    config: { access: 'admin' },
    schema: {
      summary: 'Delete a user. With sessions not yet destroyed: 409, unless force=true, which disables the user, destroys their sessions (host data is never touched), then deletes',
      tags, params,
      querystring: { type: 'object', additionalProperties: false, properties: { force: { type: 'string', enum: ['0', '1', 'true', 'false'] } } },
      response: { 204: { type: 'null' }, ...errorResponses },
    },
  }, async (request, reply) => {
    const me = caller(request);
    const user = await requireUser(deps.store, request.params.id);
    await assertNotLastAdmin(deps.store, user.user_id, 'delete');
    const force = request.query.force === '1' || request.query.force === 'true';
    const live = (await deps.store.sessions.list({ user_id: user.user_id })).filter((s) => !FINAL_STATES.includes(s.state));
    if (live.length > 0 && !force) {
      throw conflict(`user "${user.username}" has ${live.length} session(s) not destroyed yet (${live.map((s) => s.session_id).join(', ')}): destroy them first, or delete with force=true (\`tether user delete ${user.username} --force\`), which destroys them; their host folders are kept`);
    }
    if (live.length > 0) await destroyAllOf(user, live, me);
    await deps.store.transaction(async (tx) => {
      await tx.users.delete(user.user_id);
      await writeAudit(tx, me, now(), {
        action: 'user.delete', target_type: 'user', target_id: user.user_id, target_name: user.username,
        before: userJson(user), after: { destroyed_sessions: live.map((s) => s.session_id) },
      });
    });
    deps.revocations?.publish({ kind: 'user', userId: user.user_id, reason: 'user deleted' });
    return reply.status(204).send();
  });

  /**
   * Disables the user first (no sign-in, request or launch of theirs meanwhile) and closes
   * what they have open, then destroys the sessions and waits for them. A failure leaves the
   * user disabled, not deleted, and says which session: the administrator retries.
   */
  async function destroyAllOf(user: UserRecord, live: SessionRecord[], me: ReturnType<typeof caller>): Promise<void> {
    const manager = deps.sessions as SessionManager | undefined;
    if (!manager) throw conflict(`user "${user.username}" has sessions, and this server runs without the session service to destroy them`);
    if (!user.disabled) await deps.store.users.update(user.user_id, { disabled: true, updated_at: now().toISOString() });
    deps.revocations?.publish({ kind: 'user', userId: user.user_id, reason: 'user deleted' });
    const actor = { user_id: me.user.user_id, username: me.user.username, isAdmin: true };
    const results = await Promise.allSettled(live.map(async (s) => {
      const { done } = await manager.beginDestroy(s.session_id, actor);
      await writeAudit(deps.store, me, now(), { action: 'session.destroy', target_type: 'session', target_id: s.session_id, target_name: null, after: { reason: 'user deleted' } });
      return done;
    }));
    const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [`${live[i]?.session_id}: ${r.reason instanceof Error ? r.reason.message : String(r.reason)}`] : []));
    if (failed.length > 0) throw conflict(`user "${user.username}" is disabled but not deleted: could not destroy ${failed.join('; ')}`);
  }
}
