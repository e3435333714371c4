// Users: get_user, get_users, create_user, update_user, delete_user, logout_user,
// get_attributes, update_user_attributes. The same use-cases and rules as /api/v1/users
// (src/api/user-actions.ts). Kasm's profile fields that Tether does not keep (first_name,
// last_name, phone, organization, notes) are accepted and answered as null.
import type { FastifyInstance } from 'fastify';
import { DEFAULT_SCRYPT_N } from '../../auth/index.js';
import type { UserRecord } from '../../store/types.js';
import type { AppDeps } from '../types.js';
import { badRequest } from '../http-error.js';
import { clockOf } from '../clock.js';
import { passwordSchema } from '../routes/users.js';
import { createUser, deleteUser, logoutUser, updateUser } from '../user-actions.js';
import { kasmEndpoint } from './transport.js';
import { idField, userRef } from './refs.js';
import { toKasmId } from './ids.js';
import { kasmSession, kasmUser } from './views.js';

/** What Kasm's target_user may carry; only username, password, disabled and locked mean something to Tether. */
interface TargetUser {
  user_id?: string;
  username?: string;
  password?: string;
  disabled?: boolean;
  locked?: boolean;
}

const IGNORED_PROFILE_FIELDS = ['first_name', 'last_name', 'phone', 'organization', 'notes'];
const text = { type: ['string', 'null'], maxLength: 1000 } as const;
const targetUserSchema = (required: string[]) => ({
  type: 'object', required,
  properties: {
    user_id: idField, username: { type: 'string', minLength: 1, maxLength: 200 }, password: passwordSchema,
    disabled: { type: 'boolean' }, locked: { type: 'boolean' },
    ...Object.fromEntries(IGNORED_PROFILE_FIELDS.map((f) => [f, text])),
  },
});
/** get_user, delete_user, logout_user, get_attributes: the user by user_id or username */
const userPick = { type: 'object', properties: { user_id: idField, username: { type: 'string', minLength: 1, maxLength: 200 } } };

/** Tether has no account lock: locked true is refused rather than silently dropped. */
function refuseLock(t: TargetUser): void {
  if (t.locked === true) throw badRequest('invalid request', { validations: [{ field: 'target_user.locked', detail: 'Tether has no account lock: send false, or disabled: true to stop the user signing in' }] });
}

export async function kasmUserEndpoints(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const env = { deps, now: clockOf(deps), scryptN: deps.auth?.scryptN ?? DEFAULT_SCRYPT_N };
  const usersNeed = (write: boolean) => ({ permission: 'users' as const, write });

  async function view(u: UserRecord, withKasms: boolean) {
    const [groups, sessions] = await Promise.all([deps.store.groups.groupsOf(u.user_id), deps.store.sessions.list({ user_id: u.user_id })]);
    const last = sessions.reduce<string | null>((acc, s) => (acc === null || s.created_at > acc ? s.created_at : acc), null);
    const out: Record<string, unknown> = kasmUser(u, groups, last);
    if (withKasms) {
      const live = sessions.filter((s) => s.state !== 'destroyed' && s.state !== 'failed');
      out.kasms = await Promise.all(live.map(async (s) => kasmSession(s, { user: u, image: await deps.store.images.get(s.image_id) })));
    }
    return out;
  }

  async function pick(t: { user_id?: string; username?: string } | undefined): Promise<UserRecord> {
    if (t?.user_id !== undefined) return userRef(deps.store, 'target_user.user_id', t.user_id);
    if (t?.username !== undefined) return userRef(deps.store, 'target_user.username', t.username);
    throw badRequest('invalid request', { validations: [{ field: 'target_user.user_id', detail: 'is required (or target_user.username)' }] });
  }

  kasmEndpoint<{ target_user: TargetUser }>(app, 'get_user', {
    summary: 'A user, with their sessions (kasms)', need: usersNeed(false), required: ['target_user'], properties: { target_user: userPick },
  }, async (body, call) => {
    const u = await pick(body.target_user);
    call.target('user', u.user_id, u.username);
    return { user: await view(u, true) };
  });

  kasmEndpoint<object>(app, 'get_users', { summary: 'Every user', need: usersNeed(false) }, async () => {
    const users = await deps.store.users.list();
    return { users: await Promise.all(users.map((u) => view(u, false))) };
  });

  kasmEndpoint<{ target_user: TargetUser }>(app, 'create_user', {
    summary: 'Create a user (joins "All Users"); without a password, a random one nobody knows', need: usersNeed(true), required: ['target_user'],
    properties: { target_user: targetUserSchema(['username']) },
  }, async (body, call) => {
    const t = body.target_user;
    refuseLock(t);
    const u = await createUser(env, call.acting, { username: t.username as string, ...(t.password !== undefined ? { password: t.password } : {}), ...(t.disabled !== undefined ? { disabled: t.disabled } : {}) });
    call.target('user', u.user_id, u.username);
    return { user: await view(u, false) };
  });

  kasmEndpoint<{ target_user: TargetUser }>(app, 'update_user', {
    summary: 'Disable/enable a user or set their password (renaming is not supported)', need: usersNeed(true), required: ['target_user'],
    properties: { target_user: targetUserSchema(['user_id']) },
  }, async (body, call) => {
    const t = body.target_user;
    refuseLock(t);
    const u = await userRef(deps.store, 'target_user.user_id', t.user_id as string);
    call.target('user', u.user_id, u.username);
    if (t.username !== undefined && t.username.toLowerCase() !== u.username.toLowerCase()) {
      throw badRequest('invalid request', { validations: [{ field: 'target_user.username', detail: `Tether users cannot be renamed (the user is "${u.username}")` }] });
    }
    const change = { ...(t.disabled !== undefined && t.disabled !== u.disabled ? { disabled: t.disabled } : {}), ...(t.password !== undefined ? { password: t.password } : {}) };
    const updated = Object.keys(change).length > 0 ? await updateUser(env, call.acting, u, change) : u;
    return { user: await view(updated, false) };
  });

  kasmEndpoint<{ target_user: TargetUser; force?: boolean }>(app, 'delete_user', {
    summary: 'Delete a user; one with sessions only with force: true (destroys them first; host data is kept)', need: usersNeed(true), required: ['target_user'],
    properties: { target_user: userPick, force: { type: 'boolean' } },
  }, async (body, call) => {
    const u = await pick(body.target_user);
    call.target('user', u.user_id, u.username);
    await deleteUser(env, call.acting, u, { force: body.force === true, forceHint: '"force": true' });
    return {};
  });

  kasmEndpoint<{ target_user: TargetUser }>(app, 'logout_user', {
    summary: 'End every login session of a user (API tokens stay)', need: usersNeed(true), required: ['target_user'], properties: { target_user: userPick },
  }, async (body, call) => {
    const u = await pick(body.target_user);
    call.target('user', u.user_id, u.username);
    await logoutUser(env, call.acting, u);
    return {};
  });

  kasmEndpoint<{ target_user: TargetUser }>(app, 'get_attributes', {
    summary: 'A user\'s attributes: Tether keeps none of Kasm\'s, so each is null', need: usersNeed(false), required: ['target_user'], properties: { target_user: userPick },
  }, async (body, call) => {
    const u = await pick(body.target_user);
    call.target('user', u.user_id, u.username);
    return {
      user_attributes: {
        user_id: toKasmId(u.user_id), default_image: null, auto_login_kasm: null, show_tips: null, toggle_control_panel: null,
        chat_sfx: null, ssh_public_key: null, preferred_language: null, preferred_timezone: null,
      },
    };
  });

  kasmEndpoint<{ target_user_attributes: Record<string, unknown> }>(app, 'update_user_attributes', {
    summary: 'Tether keeps no user attributes: any attribute is refused, naming it', need: usersNeed(true), required: ['target_user_attributes'],
    properties: { target_user_attributes: { type: 'object', required: ['user_id'], properties: { user_id: idField } } },
  }, async (body, call) => {
    const a = body.target_user_attributes;
    const u = await userRef(deps.store, 'target_user_attributes.user_id', a.user_id as string);
    call.target('user', u.user_id, u.username);
    const given = Object.keys(a).filter((k) => k !== 'user_id');
    if (given.length > 0) {
      throw badRequest('nothing was changed', { validations: given.map((k) => ({ field: `target_user_attributes.${k}`, detail: 'Tether keeps no such user attribute' })) });
    }
    return {};
  });
}
