// Authentication and authorization, in an onRequest hook: it runs before the body is read
// or validated, so a user calling an administrator's route gets 403 whatever the body, and
// an anonymous caller gets 401 without the server parsing anything.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { authenticateSecret } from '../auth/index.js';
import type { AppDeps, Principal } from './types.js';
import { forbidden, unauthorized } from './http-error.js';

export const SESSION_COOKIE = 'tether_session';
/** Header the web UI sends on every state-changing request made with the login cookie. */
export const CSRF_HEADER = 'x-tether-csrf';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Defence in depth beside SameSite=Strict: a cross-site form or <img> cannot set a custom
 * header, so a cookie-authenticated change without it is refused. Bearer tokens are not
 * ambient credentials and need no such header. Logout is exempt (forcing it is harmless).
 */
function missesCsrfHeader(request: FastifyRequest): boolean {
  if (SAFE_METHODS.has(request.method)) return false;
  if (request.method === 'POST' && request.routeOptions.url?.endsWith('/logout')) return false;
  return request.headers[CSRF_HEADER] !== '1';
}

/** The presented secret: `Authorization: Bearer` first, else the login cookie. */
function presentedSecret(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (header !== undefined) {
    const m = /^Bearer +(\S+) *$/i.exec(header);
    return m?.[1] ?? '';
  }
  return request.cookies?.[SESSION_COOKIE] ?? null;
}

export function installAuthHook(app: FastifyInstance, deps: AppDeps): void {
  const now = deps.now ?? (() => new Date());
  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (request) => {
    request.principal = null;
    const access = request.routeOptions.config?.access;
    if (access === undefined) return; // unmatched URL: the 404 handler answers
    const secret = presentedSecret(request);
    if (secret === null) {
      if (access === 'public') return;
      throw unauthorized('authentication required: send "Authorization: Bearer <token>" or sign in');
    }
    const result = await authenticateSecret(deps.store, secret, now());
    if (!result.ok) {
      if (access === 'public') return;
      request.log.info({ reason: result.reason }, 'rejected credentials');
      throw unauthorized('invalid, expired or revoked credentials');
    }
    // The groups themselves (200 with their settings, for some users) are read only by the
    // routes that need them (callerGroups); the admin flag came with the credential.
    const principal: Principal = {
      user: result.user,
      isAdmin: result.isAdmin,
      via: request.headers.authorization !== undefined ? 'token' : 'cookie',
      token_id: result.token.token_id,
    };
    request.principal = principal;
    if (principal.via === 'cookie' && missesCsrfHeader(request)) {
      throw forbidden(`a change made with the sign-in cookie must carry the header "${CSRF_HEADER}: 1" (cross-site request protection)`);
    }
    if (access === 'admin' && !principal.isAdmin) throw forbidden('administrators only');
  });
}

/** The caller on a route whose access is 'user' or 'admin' (the hook guarantees it is set). */
export function caller(request: FastifyRequest): Principal {
  if (!request.principal) throw unauthorized();
  return request.principal;
}

/** The caller's groups, read from the store on first use and kept for the rest of the request. */
export async function callerGroups(store: import('../store/types.js').Store, me: Principal) {
  me.groups ??= await store.groups.groupsOf(me.user.user_id);
  return me.groups;
}
