// Sessions ("kasms"): request_kasm, get_kasm_status, destroy_kasm, keepalive, get_kasms.
// The same session use-cases as /api/v1/sessions (src/sessions: the manager's launch,
// beginDestroy, keepalive), with the same rules; the key acts as an administrator would.
import type { FastifyInstance } from 'fastify';
import type { SessionRecord } from '../../store/types.js';
import type { PersistentProfileMode, SessionManager } from '../../sessions/index.js';
import { parseProfileMode } from '../../mappings/index.js';
import { ENVIRONMENT_NAME, MAX_ENVIRONMENT_VALUE_LENGTH, MAX_ENVIRONMENT_VARIABLES } from '../../sessions/environment.js';
import type { AppDeps } from '../types.js';
import { HttpError, badRequest } from '../http-error.js';
import { clockOf } from '../clock.js';
import { writeAudit } from '../audit-log.js';
import { kasmEndpoint } from './transport.js';
import { idField, imageRef, sessionRef, userRef } from './refs.js';
import { toKasmId } from './ids.js';
import { currentTime, kasmSession, operationalOf } from './views.js';
import { issueLoginLink } from './connect.js';

interface RequestKasmBody {
  user_id: string;
  image_id: string;
  persistent_profile_mode?: string;
  environment?: Record<string, string>;
  kasm_url?: string;
  enable_sharing?: boolean;
}

export async function kasmSessionEndpoints(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const now = clockOf(deps);
  const manager = (): SessionManager => {
    const m = deps.sessions;
    if (!m) throw new HttpError(503, 'sessions are not available on this server', { detail: 'the server runs without the session service (no container engine)' });
    return m;
  };
  const refsOf = async (rec: SessionRecord) => {
    const [user, image] = await Promise.all([deps.store.users.get(rec.user_id), deps.store.images.get(rec.image_id)]);
    return { user, image };
  };
  const sessionsNeed = (write: boolean) => ({ permission: 'sessions' as const, write });

  kasmEndpoint<RequestKasmBody>(app, 'request_kasm', {
    summary: 'Launch a session (kasm) for a user; answers at once with a one-time kasm_url', need: sessionsNeed(true), required: ['user_id', 'image_id'],
    properties: {
      user_id: idField, image_id: idField,
      persistent_profile_mode: { type: 'string', maxLength: 20, description: 'Enabled, Disabled or Reset (any case): the persistent profile mode (docs/volume-mappings.md, Persistent profiles)' },
      environment: {
        type: 'object', maxProperties: MAX_ENVIRONMENT_VARIABLES, propertyNames: { pattern: ENVIRONMENT_NAME.source },
        additionalProperties: { type: 'string', maxLength: MAX_ENVIRONMENT_VALUE_LENGTH },
      },
      kasm_url: { type: 'string', maxLength: 2048, description: 'given to the container as KASM_URL' },
      enable_sharing: { type: 'boolean' },
    },
  }, async (body, call) => {
    let mode: PersistentProfileMode | undefined;
    if (body.persistent_profile_mode !== undefined) {
      mode = parseProfileMode(body.persistent_profile_mode) ?? undefined;
      if (!mode) throw badRequest('invalid request', { validations: [{ field: 'persistent_profile_mode', detail: `expected one of Enabled, Disabled, Reset (any case), got ${JSON.stringify(body.persistent_profile_mode)}` }] });
    }
    if (body.enable_sharing === true) throw badRequest('invalid request', { validations: [{ field: 'enable_sharing', detail: 'Tether sessions cannot be shared: omit it or send false' }] });
    const environment: Record<string, string> = { ...body.environment };
    for (const [k, v] of Object.entries(environment)) if (v.includes('\0')) throw badRequest('invalid request', { validations: [{ field: `environment.${k}`, detail: 'must not contain NUL' }] });
    if (body.kasm_url !== undefined) environment.KASM_URL = body.kasm_url;
    const user = await userRef(deps.store, 'user_id', body.user_id);
    const image = await imageRef(deps.store, 'image_id', body.image_id);
    const rec = await manager().launch({
      imageId: image.image_id, userId: user.user_id, actor: call.acting.session,
      ...(Object.keys(environment).length > 0 ? { environment } : {}),
      ...(mode ? { persistent_profile_mode: mode } : {}),
    });
    call.target('session', rec.session_id, image.name);
    await writeAudit(deps.store, call.acting.audit, now(), { action: 'session.launch', target_type: 'session', target_id: rec.session_id, target_name: image.name, after: { user_id: user.user_id, image_id: image.image_id } });
    const link = await issueLoginLink(deps, { userId: user.user_id, sessionId: rec.session_id, createdBy: call.acting.session.username });
    return {
      kasm_id: toKasmId(rec.session_id),
      user_id: toKasmId(user.user_id),
      username: user.username,
      status: operationalOf(rec.state).status,
      share_id: null,
      session_token: link.secret,
      kasm_url: link.path,
    };
  });

  kasmEndpoint<{ kasm_id: string; user_id?: string }>(app, 'get_kasm_status', {
    summary: 'A session\'s status: `kasm` once running; the top-level operational_* while launching', need: sessionsNeed(false), required: ['kasm_id'],
    properties: { kasm_id: idField, user_id: idField, skip_agent_check: { type: 'boolean' } },
  }, async (body, call) => {
    const rec = await sessionRef(deps.store, body.kasm_id, body.user_id);
    call.target('session', rec.session_id, null);
    const op = operationalOf(rec.state);
    const base = { current_time: currentTime(now()) };
    if (rec.state === 'destroyed' || rec.state === 'failed') {
      // 200 with error_message: Kasm clients poll this endpoint and stop on error_message
      return {
        ...base, error_message: rec.state === 'failed' ? `kasm ${body.kasm_id} failed to start: ${rec.error?.message ?? 'unknown reason'}` : `kasm ${body.kasm_id} has ended (destroyed)`,
        detail: rec.error ? `${rec.error.class}${rec.error.mapping ? ` (${rec.error.mapping})` : ''}: ${rec.error.message}` : `state ${rec.state}`,
        operational_status: op.status, operational_message: op.message, operational_progress: op.progress,
      };
    }
    if (rec.state !== 'running') {
      return { ...base, operational_status: op.status, operational_message: op.message, operational_progress: op.progress };
    }
    return { ...base, kasm: kasmSession(rec, await refsOf(rec)) };
  });

  kasmEndpoint<{ kasm_id: string; user_id?: string }>(app, 'destroy_kasm', {
    summary: 'Destroy a session (host data is never touched); answers once it is stopping', need: sessionsNeed(true), required: ['kasm_id'],
    properties: { kasm_id: idField, user_id: idField },
  }, async (body, call) => {
    const rec = await sessionRef(deps.store, body.kasm_id, body.user_id);
    call.target('session', rec.session_id, null);
    await manager().beginDestroy(rec.session_id, call.acting.session);
    await writeAudit(deps.store, call.acting.audit, now(), { action: 'session.destroy', target_type: 'session', target_id: rec.session_id, target_name: null });
    return {};
  });

  kasmEndpoint<{ kasm_id: string; user_id?: string }>(app, 'keepalive', {
    summary: 'Push a running session\'s time limit back (now + its groups\' session_time_limit)', need: sessionsNeed(true), required: ['kasm_id'],
    properties: { kasm_id: idField, user_id: idField },
  }, async (body, call) => {
    const rec = await sessionRef(deps.store, body.kasm_id, body.user_id);
    call.target('session', rec.session_id, null);
    const result = await manager().keepalive(rec.session_id, call.acting.session);
    if (result.extended) {
      await writeAudit(deps.store, call.acting.audit, now(), { action: 'session.keepalive', target_type: 'session', target_id: rec.session_id, target_name: null, before: { expires_at: rec.expires_at }, after: { expires_at: result.record.expires_at } });
    }
    return { usage_reached: result.usage_reached };
  });

  kasmEndpoint<object>(app, 'get_kasms', {
    summary: 'Every session not yet ended (requested to stopping)', need: sessionsNeed(false),
  }, async () => {
    const list = await deps.store.sessions.list({ states: ['requested', 'preparing', 'starting', 'running', 'stopping'] });
    const kasms = await Promise.all(list.map(async (rec) => kasmSession(rec, await refsOf(rec))));
    return { kasms, current_time: currentTime(now()) };
  });
}

