// Authentication and authorization, in an onRequest hook: it runs before the body is read
// or validated, so a user calling an administrator's route gets 403 whatever the body, and
// an anonymous caller gets 401 without the server parsing anything.
import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { authenticateSecret } from '../auth/index.js';
import type { AppDeps, Principal } from './types.js';
import { forbidden, unauthorized } from './http-error.js';
import { SESSION_COOKIE_BASE, cookieName, cookieValues } from './cookies.js';
import { keptCredentials } from './kept-credentials.js';

/** The sign-in cookie's name over plain HTTP; over HTTPS it is `__Host-tether_session` (see cookies.ts). */
export const SESSION_COOKIE = SESSION_COOKIE_BASE;
/** Header the web UI sends on every state-changing request made with the login cookie. */
export const CSRF_HEADER = 'x-tether-csrf';
/** Methods that change nothing: no CSRF header or Origin check needed for them. */
export const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

declare module 'fastify' {
  interface FastifyContextConfig {
    /** false: a cookie-authenticated change needs no CSRF header on this route (logout: forcing it is harmless) */
    csrf?: false;
  }
}

/**
 * Defence in depth beside SameSite=Strict: a cross-site form or <img> cannot set a custom
 * header, so a cookie-authenticated change without it is refused. Bearer tokens are not
 * ambient credentials and need no such header. Routes may opt out with config.csrf: false.
 */
function missesCsrfHeader(request: FastifyRequest): boolean {
  if (SAFE_METHODS.has(request.method)) return false;
  if (request.routeOptions.config?.csrf === false) return false;
  return request.headers[CSRF_HEADER] !== '1';
}

/**
 * Whether a browser's Origin header names the Host the request was sent to (same host and
 * port): null without an Origin header; false for "null", another origin or garbage.
 */
export function originMatchesHost(headers: IncomingHttpHeaders): boolean | null {
  const origin = headers.origin;
  if (origin === undefined) return null;
  try {
    return new URL(origin).host.toLowerCase() === (headers.host ?? '').toLowerCase();
  } catch {
    return false;
  }
}

/**
 * The presented secret: `Authorization: Bearer` first, else the login cookie. The cookie sent
 * twice means a second one was set for a parent domain by another host (e.g. a workspace
 * app's JavaScript): refused rather than guessing which one is the user's own.
 */
function presentedSecret(request: FastifyRequest, cookie: string): string | null | { duplicated: number } {
  const header = request.headers.authorization;
  if (header !== undefined) {
    const m = /^Bearer +(\S+) *$/i.exec(header);
    return m?.[1] ?? '';
  }
  const values = cookieValues(request.headers.cookie, cookie);
  return values.length > 1 ? { duplicated: values.length } : values[0] ?? null;
}

export function installAuthHook(app: FastifyInstance, deps: AppDeps): void {
  const now = deps.now ?? (() => new Date());
  const cookie = cookieName(SESSION_COOKIE_BASE, deps.secureCookies === true);
  const credentialOf = keptCredentials(deps.store);
  app.decorateRequest('principal', null);
  app.decorateRequest('apiKey', null);
  app.addHook('preHandler', async (request) => {
    if (request.routeOptions.config?.access === 'apikey' && request.apiKey === null) throw unauthorized('an API key is required');
  });
  app.addHook('onRequest', async (request) => {
    request.principal = null;
    const access = request.routeOptions.config?.access;
    if (access === undefined) return; // unmatched URL: the 404 handler answers
    // API keys, never a user's token or cookie: src/api/kasm/transport.ts authenticates them
    // (Basic header or the JSON body) before validation; the preHandler below fails closed.
    if (access === 'apikey') return;
    const presented = presentedSecret(request, cookie);
    if (typeof presented === 'object' && presented !== null) {
      if (access === 'public') return; // signing in again must stay possible
      throw unauthorized(`the browser sent the cookie "${cookie}" ${presented.duplicated} times: one was set by another site for a parent domain; clear this site's cookies and sign in again`);
    }
    const secret = presented;
    if (secret === null) {
      if (access === 'public') return;
      throw unauthorized('authentication required: send "Authorization: Bearer <token>" or sign in');
    }
    const result = await authenticateSecret(deps.store, secret, now(), credentialOf);
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
