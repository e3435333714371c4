// Sign-in and identity: POST /login, POST /logout, GET /me.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import {
  DEFAULT_SCRYPT_N, DEFAULT_THROTTLE, LoginThrottle, dummyPasswordHash, generateTokenSecret, isAdminGroups, verifyPassword,
} from '../../auth/index.js';
import type { AppDeps } from '../types.js';
import { HttpError, tooManyRequests } from '../http-error.js';
import { caller, callerGroups } from '../auth-hook.js';
import { SESSION_COOKIE_BASE, cookieAttributes, cookieName } from '../cookies.js';
import { clockOf } from '../clock.js';
import { writeAudit } from '../audit-log.js';
import { errorResponses } from '../schemas.js';
import { ErrorBody, Me, User } from '../wire/index.js';
import { z } from 'zod';
import { groupJson, userJson } from '../serialize.js';

const DEFAULT_LOGIN_TTL_MS = 12 * 60 * 60 * 1000;

export async function authRoutes(server: FastifyInstance, deps: AppDeps): Promise<void> {
  const app = server.withTypeProvider<ZodTypeProvider>();
  const now = clockOf(deps);
  const throttle = new LoginThrottle(deps.throttle ?? DEFAULT_THROTTLE, () => now().getTime());
  const scryptN = deps.auth?.scryptN ?? DEFAULT_SCRYPT_N;
  const ttlMs = deps.auth?.loginSessionTtlMs ?? DEFAULT_LOGIN_TTL_MS;
  const secureCookies = deps.secureCookies === true;
  const sessionCookie = cookieName(SESSION_COOKIE_BASE, secureCookies);

  app.post('/login', {
    config: { access: 'public' },
    schema: {
      summary: 'Sign in; returns a login-session token and sets the session cookie',
      tags: ['auth'],
      body: z.object({ username: z.string().max(200), password: z.string().max(1024) }),
      response: { 200: z.object({ token: z.string(), user: User }), 429: ErrorBody, ...errorResponses },
    },
  }, async (request, reply) => {
    const { username, password } = request.body;
    const address = request.ip;
    const wait = throttle.retryAfter(username, address);
    if (wait > 0) throw tooManyRequests(wait, 'too many failed sign-in attempts');
    const user = await deps.store.users.getByUsername(username);
    // Spend the same scrypt time whether or not the user exists (no username probing by timing).
    const ok = await verifyPassword(password, user?.password_hash ?? (await dummyPasswordHash(scryptN)));
    if (!user || !ok || user.disabled) {
      throttle.recordFailure(username, address);
      throw new HttpError(401, 'invalid username or password (or the account is disabled)');
    }
    throttle.recordSuccess(username, address);
    const { secret, digest } = generateTokenSecret();
    const at = now();
    const expires = new Date(at.getTime() + ttlMs);
    await deps.store.transaction(async (tx) => {
      const token_id = randomUUID();
      await tx.tokens.create({
        token_id, user_id: user.user_id, kind: 'login', name: `login from ${address}`.slice(0, 100), digest,
        created_at: at.toISOString(), expires_at: expires.toISOString(), revoked_at: null, last_used_at: null,
      });
      const actor = { user, isAdmin: false, via: 'cookie' as const, token_id };
      await writeAudit(tx, actor, at, { action: 'user.login', target_type: 'user', target_id: user.user_id, target_name: user.username });
    });
    reply.setCookie(sessionCookie, secret, { ...cookieAttributes(secureCookies || request.protocol === 'https'), expires });
    return { token: secret, user: userJson(user) };
  });

  app.post('/logout', {
    // no CSRF header needed: a forced logout is harmless
    config: { access: 'user', csrf: false },
    schema: { summary: 'End the credential used for this request (login session or API token), and the terminals and app access opened with it', tags: ['auth'], response: { 204: z.null(), ...errorResponses } },
  }, async (request, reply) => {
    const me = caller(request);
    await deps.store.tokens.update(me.token_id, { revoked_at: now().toISOString() });
    deps.revocations?.publish({ kind: 'token', tokenId: me.token_id, reason: 'signed out' });
    reply.clearCookie(sessionCookie, cookieAttributes(secureCookies || request.protocol === 'https'));
    return reply.status(204).send(null);
  });

  app.get('/me', {
    config: { access: 'user' },
    schema: {
      summary: 'The caller: user, groups, whether an administrator',
      tags: ['auth'],
      response: { 200: Me, ...errorResponses },
    },
  }, async (request) => {
    const me = caller(request);
    const groups = await callerGroups(deps.store, me);
    return { user: userJson(me.user), groups: groups.map(groupJson), is_admin: isAdminGroups(groups) };
  });
}
