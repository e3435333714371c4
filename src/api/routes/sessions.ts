// Sessions: launch, list, show, destroy, and the live progress stream (server-sent events).
// Users see and destroy only their own sessions (someone else's answers 404, as if it did
// not exist); administrators see all and may launch for another user. An image that exists
// but is not open to a user (disabled, or none of their groups) answers a user's launch with
// the same 404 as an unknown image, as GET /images/{id} does: its existence does not leak.
// Administrators keep the explicit 403 (image disabled / not open to the target user).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { SessionRecord, SessionState } from '../../store/types.js';
import { toSessionJson, SessionError, type Actor, type SessionManager } from '../../sessions/index.js';
import { LAUNCH_DONE_STATES, FINAL_STATES } from '../../sessions/types.js';
import { SESSION_STATES } from '../../sessions/vocabulary.js';
import type { AppDeps, Principal } from '../types.js';
import { HttpError, badRequest, conflict, forbidden, notFound } from '../http-error.js';
import { parseProfileMode } from '../../mappings/index.js';
import { caller } from '../auth-hook.js';
import { clockOf } from '../clock.js';
import { writeAudit } from '../audit-log.js';
import { findImage, findUser } from '../lookup.js';
import { errorResponses, sessionIdParams } from '../schemas.js';
import { ExplainedSession, Session } from '../wire/index.js';

/** SessionError -> HTTP. max_sessions_per_user reached is 409: the request conflicts with the user's current sessions. */
function httpErrorOf(err: unknown): unknown {
  if (!(err instanceof SessionError)) return err;
  switch (err.code) {
    case 'not_found': case 'image_not_found': case 'user_not_found': return new HttpError(404, err.message);
    case 'forbidden': case 'image_disabled': case 'image_not_allowed': case 'profile_not_allowed': return forbidden(err.message);
    case 'limit_reached': case 'invalid_state': case 'profile_in_use': return conflict(err.message);
  }
}

function actorOf(me: Principal): Actor {
  return { user_id: me.user.user_id, username: me.user.username, isAdmin: me.isAdmin };
}

export function sessionsRoutes(manager: SessionManager) {
  return async function registerSessionRoutes(server: FastifyInstance, deps: AppDeps): Promise<void> {
    const app = server.withTypeProvider<ZodTypeProvider>();
    const now = clockOf(deps);
    const tags = ['sessions'];
    // Open progress streams end when the server shuts down (a stream following a running
    // session to its end would otherwise hold app.close() open).
    const streams = new Set<AbortController>();
    app.addHook('preClose', async () => {
      for (const s of streams) s.abort();
    });

    /** the session as the API shows it: the one wire shape (wire/session.ts), checked here by the compiler */
    async function json(rec: SessionRecord): Promise<Session> {
      const [user, image, drift] = await Promise.all([deps.store.users.get(rec.user_id), deps.store.images.get(rec.image_id), manager.drift(rec)]);
      return toSessionJson(rec, { user, image, drift });
    }

    /** The session if the caller may see it; someone else's is "not found" for a user. */
    async function visible(request: FastifyRequest, id: string): Promise<SessionRecord> {
      const me = caller(request);
      const rec = await deps.store.sessions.get(id);
      if (!rec || (!me.isAdmin && rec.user_id !== me.user.user_id)) throw notFound(`session "${id}"`);
      return rec;
    }

    app.post('/sessions', {
      config: { access: 'user' },
      schema: {
        summary: 'Launch a session (returns at once in state requested; follow /sessions/:id/events)', tags,
        body: z.object({
          image: z.string().min(1).max(200).describe('image id or name'),
          user: z.string().min(1).max(100).describe('administrators only: launch for this user (id or username)').optional(),
          persistent_profile_mode: z.string().min(1).max(20)
            .describe('enabled (default where offered), disabled or reset, any case; asking for enabled/reset where not offered is 403').optional(),
        }),
        response: { 201: Session, ...errorResponses },
      },
    }, async (request, reply) => {
      const me = caller(request);
      let userId = me.user.user_id;
      if (request.body.user !== undefined) {
        const target = await findUser(deps.store, request.body.user);
        if (!me.isAdmin && target?.user_id !== me.user.user_id) throw forbidden('only administrators may launch a session for another user');
        if (!target) throw notFound(`user "${request.body.user}"`);
        userId = target.user_id;
      }
      const image = await findImage(deps.store, request.body.image);
      if (!image) throw notFound(`image "${request.body.image}"`);
      const modeText = request.body.persistent_profile_mode;
      const mode = modeText === undefined ? undefined : parseProfileMode(modeText);
      if (mode === null) throw badRequest('invalid launch request', { validations: [{ field: 'persistent_profile_mode', detail: `expected enabled, disabled or reset (any case), got ${JSON.stringify(modeText)}` }] });
      let rec: SessionRecord;
      try {
        rec = await manager.launch({ imageId: image.image_id, userId, actor: actorOf(me), ...(mode ? { persistent_profile_mode: mode } : {}) });
      } catch (err) {
        if (!me.isAdmin && err instanceof SessionError && (err.code === 'image_disabled' || err.code === 'image_not_allowed')) {
          throw notFound(`image "${request.body.image}"`);
        }
        throw httpErrorOf(err);
      }
      await writeAudit(deps.store, me, now(), { action: 'session.launch', target_type: 'session', target_id: rec.session_id, target_name: image.name, after: { user_id: userId, image_id: image.image_id, ...(mode ? { persistent_profile_mode: mode } : {}) } });
      return reply.code(201).header('location', `/api/v1/sessions/${rec.session_id}`).send(await json(rec));
    });

    app.get('/sessions', {
      config: { access: 'user' },
      schema: {
        summary: 'List sessions (users: their own; administrators: all, or ?user=)', tags,
        querystring: z.object({ user: z.string().min(1).optional(), state: z.enum(SESSION_STATES).optional() }),
        response: { 200: z.array(Session), ...errorResponses },
      },
    }, async (request) => {
      const me = caller(request);
      const ref = request.query.user?.toLowerCase();
      // A user may name only themselves (like /effective-mounts); checked before any lookup.
      if (!me.isAdmin && ref !== undefined && ref !== me.user.username.toLowerCase() && ref !== me.user.user_id) {
        throw forbidden('only administrators may list another user\'s sessions');
      }
      let userId: string | undefined = me.user.user_id;
      if (me.isAdmin) {
        userId = undefined;
        if (request.query.user !== undefined) {
          const u = await findUser(deps.store, request.query.user);
          if (!u) throw notFound(`user "${request.query.user}"`);
          userId = u.user_id;
        }
      }
      const list = await deps.store.sessions.list({ ...(userId ? { user_id: userId } : {}), ...(request.query.state ? { states: [request.query.state] } : {}) });
      return Promise.all(list.map(json));
    });

    app.get('/sessions/:id', {
      config: { access: 'user' },
      schema: {
        summary: 'Show a session (running: with drift = whether what its mounts were computed from changed since launch; ?explain=1 says what, and what they would be today)',
        tags, params: sessionIdParams,
        querystring: z.object({ explain: z.enum(['0', '1']).optional() }),
        response: { 200: ExplainedSession, ...errorResponses },
      },
    }, async (request) => {
      const rec = await visible(request, request.params.id);
      if (request.query.explain !== '1') return json(rec);
      const [user, image, explained] = await Promise.all([deps.store.users.get(rec.user_id), deps.store.images.get(rec.image_id), manager.explainDrift(rec)]);
      return { ...toSessionJson(rec, { user, image, drift: explained?.drift ?? null }), drift_explanation: explained };
    });

    app.delete('/sessions/:id', {
      config: { access: 'user' },
      schema: { summary: 'Destroy a session (202: stopping; follow the events until destroyed). Host data is never touched.', tags, params: sessionIdParams, response: { 202: Session, ...errorResponses } },
    }, async (request, reply) => {
      const me = caller(request);
      await visible(request, request.params.id);
      let rec: SessionRecord;
      try {
        ({ record: rec } = await manager.beginDestroy(request.params.id, actorOf(me)));
      } catch (err) {
        throw httpErrorOf(err);
      }
      await writeAudit(deps.store, me, now(), { action: 'session.destroy', target_type: 'session', target_id: rec.session_id, target_name: null });
      return reply.code(202).send(await json(rec));
    });

    app.get('/sessions/:id/events', {
      config: { access: 'user' },
      schema: {
        summary: 'Progress as server-sent events (history first); ends once launched (running/failed/destroyed), or with ?until=end once failed/destroyed',
        tags, params: sessionIdParams,
        querystring: z.object({ until: z.enum(['launched', 'end']).optional() }),
      },
    }, async (request, reply) => {
      await visible(request, request.params.id);
      const until = request.query.until === 'end' ? FINAL_STATES : LAUNCH_DONE_STATES;
      const stream = new AbortController();
      streams.add(stream);
      try {
        await streamEvents(manager, request.params.id, reply, until, stream.signal);
      } finally {
        streams.delete(stream);
      }
    });
  };
}

async function streamEvents(manager: SessionManager, id: string, reply: FastifyReply, until: readonly SessionState[], shutdown: AbortSignal): Promise<void> {
  reply.hijack();
  const out = reply.raw;
  // the client went away (the response's connection closed) or the server is closing
  const gone = new AbortController();
  out.once('close', () => gone.abort());
  const onShutdown = () => gone.abort();
  shutdown.addEventListener('abort', onShutdown, { once: true });
  out.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
  out.write(': tether session events\n\n');
  // Comments keep proxies from closing a quiet stream (a long image pull).
  const keepAlive = setInterval(() => out.write(': keep-alive\n\n'), 15_000);
  try {
    for await (const e of manager.events(id, { until, signal: gone.signal })) {
      out.write(`id: ${e.seq}\nevent: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`);
    }
  } catch (err) {
    out.write(`event: error\ndata: ${JSON.stringify({ message: err instanceof Error ? err.message : String(err) })}\n\n`);
  } finally {
    clearInterval(keepAlive);
    shutdown.removeEventListener('abort', onShutdown);
    out.end();
  }
}

