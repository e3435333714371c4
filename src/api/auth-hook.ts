// Authentication and authorization, in an onRequest hook: it runs before the body is read
// or validated, so a user calling an administrator's route gets 403 whatever the body, and
// an anonymous caller gets 401 without the server parsing anything.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { authenticateSecret, isAdminGroups } from '../auth/index.js';
import type { AppDeps, Principal } from './types.js';
import { forbidden, unauthorized } from './http-error.js';

export const SESSION_COOKIE = 'tether_session';

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
    const groups = await deps.store.groups.groupsOf(result.user.user_id);
    const principal: Principal = {
      user: result.user,
      isAdmin: isAdminGroups(groups),
      groups,
      via: request.headers.authorization !== undefined ? 'token' : 'cookie',
      token_id: result.token.token_id,
    };
    request.principal = principal;
    if (access === 'admin' && !principal.isAdmin) throw forbidden('administrators only');
  });
}

/** The caller on a route whose access is 'user' or 'admin' (the hook guarantees it is set). */
export function caller(request: FastifyRequest): Principal {
  if (!request.principal) throw unauthorized();
  return request.principal;
}

/** The caller's groups: from the auth hook when it read them, else from the store. */
export async function callerGroups(store: import('../store/types.js').Store, me: Principal) {
  return me.groups ?? store.groups.groupsOf(me.user.user_id);
}
