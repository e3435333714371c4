// buildApp(deps): the whole HTTP API as a Fastify instance, without listening (tests inject;
// only server.ts listens). Order matters: error handling and the auth hook are installed
// before any route, so every route (plugins included) is covered by both.
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import type { AppDeps, RouteEntry } from './types.js';
import { installErrorHandling } from './error-handler.js';
import { installAuthHook } from './auth-hook.js';
import { authRoutes } from './routes/auth.js';
import { userRoutes } from './routes/users.js';
import { groupRoutes } from './routes/groups.js';
import { memberRoutes } from './routes/members.js';
import { imageRoutes } from './routes/images.js';
import { tokenRoutes } from './routes/tokens.js';
import { auditRoutes } from './routes/audit.js';
import { effectiveMountsRoutes } from './routes/effective-mounts.js';
import { apiKeyRoutes } from './routes/api-keys.js';
import { kasmApi } from './kasm/index.js';
import { RevocationHub } from '../auth/revocations.js';
import { SESSION_COOKIE_BASE, cookieName } from './cookies.js';

export const API_PREFIX = '/api/v1';
export const DEFAULT_BODY_LIMIT = 256 * 1024;

const builtInRoutes = [authRoutes, userRoutes, groupRoutes, memberRoutes, imageRoutes, tokenRoutes, auditRoutes, effectiveMountsRoutes, apiKeyRoutes];

function loggerOptions(logger: AppDeps['logger']): Pick<FastifyServerOptions, 'logger' | 'loggerInstance'> {
  if (logger === undefined || typeof logger === 'boolean') return { logger: logger ?? false };
  return { loggerInstance: logger } as Pick<FastifyServerOptions, 'loggerInstance'>;
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  deps.revocations ??= new RevocationHub();
  const app = Fastify({
    ...loggerOptions(deps.logger),
    bodyLimit: deps.bodyLimit ?? DEFAULT_BODY_LIMIT,
    // request.ip (login throttling, audit) is the connection's address unless it is a trusted proxy
    trustProxy: deps.trustedProxies !== undefined && deps.trustedProxies.length > 0 ? deps.trustedProxies : false,
    exposeHeadRoutes: false,
    ajv: {
      // Wrong types are errors, not coerced; unknown fields are errors, not stripped;
      // report every problem at once. verbose: error messages can list the allowed fields.
      customOptions: { allowUnionTypes: true, coerceTypes: false, removeAdditional: false, useDefaults: false, allErrors: true, verbose: true },
    },
  }) as unknown as FastifyInstance;

  app.decorate('tetherRoutes', [] as RouteEntry[]);
  app.addHook('onRoute', (route) => {
    const access = route.config?.access;
    // Fail closed: a route that forgets to declare who may call it is a bug, not a public route.
    if (access === undefined) throw new Error(`route ${String(route.method)} ${route.url} has no config.access`);
    for (const method of [route.method].flat()) app.tetherRoutes.push({ method: String(method), url: route.url, access });
  });

  installErrorHandling(app);
  await app.register(cookie);
  await app.register(swagger, {
    openapi: {
      info: { title: 'Tether API', version: '1', description: 'Disposable container workspaces whose data persists' },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'an API token (tth_...) or login token' },
          session: { type: 'apiKey', in: 'cookie', name: cookieName(SESSION_COOKIE_BASE, deps.secureCookies === true) },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
    },
  });
  installAuthHook(app, deps);

  await app.register(async (api) => {
    api.get('/openapi.json', { config: { access: 'public' }, schema: { hide: true } }, async () => app.swagger());
    for (const routes of builtInRoutes) await routes(api, deps);
    for (const plugin of deps.plugins ?? []) await api.register(async (child) => plugin(child, deps));
  }, { prefix: API_PREFIX });
  // Kasm's Developer API under /api/public, authenticated by API keys (src/api/kasm)
  await app.register(async (child) => kasmApi(child, deps));
  for (const plugin of deps.rootPlugins ?? []) await app.register(async (child) => plugin(child, deps));

  await app.ready();
  return app;
}
