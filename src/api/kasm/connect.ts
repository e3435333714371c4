// kasm_url: a one-time sign-in link that opens one session's page in Tether's web UI for the
// session's user, as Kasm's kasm_url opens the session in Kasm's. The link's secret is 32
// random bytes, stored only as its SHA-256 digest, bound to the user and the session, usable
// once and only for LOGIN_LINK_TTL_MS. Using it signs the browser in as that user (a login
// session like POST /api/v1/login makes) and redirects to /sessions/<id>.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { generateTokenSecret } from '../../auth/index.js';
import { FINAL_STATES } from '../../sessions/types.js';
import type { AppDeps } from '../types.js';
import { clockOf } from '../clock.js';
import { writeAudit } from '../audit-log.js';
import { SESSION_COOKIE_BASE, cookieAttributes, cookieName } from '../cookies.js';
import { KASM_PREFIX } from './transport.js';

export const LOGIN_LINK_TTL_MS = 5 * 60_000;
/** as POST /api/v1/login when AppDeps.auth sets none */
const LOGIN_SESSION_TTL_MS = 12 * 60 * 60 * 1000;
const LINK_SHAPE = /^[A-Za-z0-9_-]{43}$/;

const digestOf = (secret: string) => createHash('sha256').update(secret, 'utf8').digest('hex');

/** Creates a one-time link for the user to the session; returns its path (relative, as Kasm's kasm_url) and secret. */
export async function issueLoginLink(deps: AppDeps, o: { userId: string; sessionId: string; createdBy: string }): Promise<{ path: string; secret: string }> {
  const now = clockOf(deps)();
  const secret = randomBytes(32).toString('base64url');
  await deps.store.loginLinks.create({
    link_id: randomUUID(), digest: digestOf(secret), user_id: o.userId, session_id: o.sessionId, created_by: o.createdBy,
    created_at: now.toISOString(), expires_at: new Date(now.getTime() + LOGIN_LINK_TTL_MS).toISOString(), used_at: null,
  });
  // now and then, forget links nobody used
  await deps.store.loginLinks.deleteExpired(new Date(now.getTime() - LOGIN_LINK_TTL_MS).toISOString());
  return { path: `${KASM_PREFIX}/connect/${secret}`, secret };
}

function refuse(reply: FastifyReply, status: number, text: string): FastifyReply {
  const html = `<!doctype html><meta charset="utf-8"><title>Tether</title><p>${text}</p><p><a href="/">Sign in to Tether</a></p>`;
  return reply.status(status).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(html);
}

export async function connectRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const now = clockOf(deps);
  app.get<{ Params: { secret: string } }>('/connect/:secret', {
    // the link's secret is the credential
    config: { access: 'public' },
    schema: { summary: 'Use a one-time sign-in link (kasm_url): signs in as the session\'s user and opens the session page', tags: ['kasm'], params: { type: 'object', properties: { secret: { type: 'string', maxLength: 100 } }, required: ['secret'] } },
  }, async (request, reply) => {
    const { secret } = request.params;
    const at = now();
    const link = LINK_SHAPE.test(secret) ? await deps.store.loginLinks.consume(digestOf(secret), at.toISOString()) : undefined;
    if (!link) return refuse(reply, 401, 'This sign-in link is invalid, was already used, or has expired. Ask for a new one.');
    const [user, session] = await Promise.all([deps.store.users.get(link.user_id), deps.store.sessions.get(link.session_id)]);
    if (!user || user.disabled) return refuse(reply, 401, 'The account of this sign-in link is disabled or gone.');
    if (!session || session.user_id !== user.user_id || FINAL_STATES.includes(session.state)) return refuse(reply, 410, 'The session of this sign-in link has ended.');
    const { secret: token, digest } = generateTokenSecret();
    const expires = new Date(at.getTime() + (deps.auth?.loginSessionTtlMs ?? LOGIN_SESSION_TTL_MS));
    await deps.store.transaction(async (tx) => {
      const token_id = randomUUID();
      await tx.tokens.create({
        token_id, user_id: user.user_id, kind: 'login', name: `login link from ${link.created_by}`.slice(0, 100), digest,
        created_at: at.toISOString(), expires_at: expires.toISOString(), revoked_at: null, last_used_at: null,
      });
      await writeAudit(tx, { user, isAdmin: false, via: 'cookie', token_id }, at, {
        action: 'user.login', target_type: 'user', target_id: user.user_id, target_name: user.username, after: { via: 'login link', session_id: session.session_id, link_by: link.created_by },
      });
    });
    const secure = deps.secureCookies === true;
    reply.setCookie(cookieName(SESSION_COOKIE_BASE, secure), token, { ...cookieAttributes(secure || request.protocol === 'https'), expires });
    return reply.status(303).header('cache-control', 'no-store').header('location', `/sessions/${session.session_id}`).send();
  });
}
