// buildApp(deps, features): the whole HTTP API as a Fastify instance, without listening
// (tests inject; only server.ts listens). Three steps, each a Fastify plugin:
//   1. the core plugin ('tether-core'): `app.deps` (store, policy, revocations...), route
//      access bookkeeping, error handling, cookies, the OpenAPI generator and the auth hook,
//      installed before any route so every route (features' included) is covered by them;
//   2. the features (sessions, metrics, workspaces, web UI: fastify-plugin plugins, each
//      naming the plugins it needs), which add decorators (`app.sessions`, `app.runtime`...)
//      and their routes;
//   3. the API's own routes under /api/v1 and Kasm's under /api/public, last, so that they
//      see `app.sessions` when the sessions feature is there.
import Fastify, { type FastifyInstance, type FastifyPluginAsync, type FastifyServerOptions } from 'fastify';
import fp from 'fastify-plugin';
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
import { sessionsRoutes } from './routes/sessions.js';
import { nodesRoutes } from './routes/nodes.js';
import { kasmApi } from './kasm/index.js';
import { RevocationHub } from '../auth/revocations.js';
import { SESSION_COOKIE_BASE, cookieName } from './cookies.js';
import { routeJsonSchema } from './zod-schema.js';
import type { SessionManager } from '../sessions/types.js';

export const API_PREFIX = '/api/v1';
export const DEFAULT_BODY_LIMIT = 256 * 1024;

/** A route file's registration: its routes on `api` (under /api/v1), given the deps. */
export type ApiRoutes = (api: FastifyInstance, deps: AppDeps) => Promise<void>;

/** A feature: a plugin made with fastify-plugin, with its `name` and the `dependencies` it needs. */
export type Feature = FastifyPluginAsync;

/** The API's own route files, in the 'tether-api' plugin. */
const coreRoutes: ApiRoutes[] = [authRoutes, userRoutes, groupRoutes, memberRoutes, imageRoutes, tokenRoutes, auditRoutes, effectiveMountsRoutes, apiKeyRoutes];

function loggerOptions(logger: AppDeps['logger']): Pick<FastifyServerOptions, 'logger' | 'loggerInstance'> {
  if (logger === undefined || typeof logger === 'boolean') return { logger: logger ?? false };
  return { loggerInstance: logger } as Pick<FastifyServerOptions, 'loggerInstance'>;
}

/** What route files are handed: the core deps, with the sessions feature's manager when it is there. */
function routeDeps(app: FastifyInstance): AppDeps {
  return { ...app.deps, sessions: app.hasDecorator('sessions') ? app.sessions : undefined };
}

/** Registers route files under /api/v1; a feature lists its route files here, in its plugin. */
export async function registerApiRoutes(app: FastifyInstance, routes: ApiRoutes[]): Promise<void> {
  await app.register(async (api) => {
    for (const r of routes) await r(api, routeDeps(app));
  }, { prefix: API_PREFIX });
}

/** The sessions feature's part of the API: `app.sessions` and the sessions routes (the server's plugin and the test labs both use it). */
export async function serveSessions(app: FastifyInstance, manager: SessionManager): Promise<void> {
  app.decorate('sessions', manager);
  await registerApiRoutes(app, [sessionsRoutes(manager), nodesRoutes(manager)]);
}

const corePlugin = fp(async (app: FastifyInstance, deps: AppDeps) => {
  app.decorate('deps', { ...deps, revocations: deps.revocations ?? new RevocationHub() });
  app.decorate('tetherRoutes', [] as RouteEntry[]);
  app.addHook('onRoute', (route) => {
    const access = route.config?.access;
    // Fail closed: a route that forgets to declare who may call it is a bug, not a public route.
    if (access === undefined) throw new Error(`route ${String(route.method)} ${route.url} has no config.access`);
    // zod schemas (zod-schema.ts) become JSON Schema before Ajv, the serializer and the OpenAPI document see them
    if (route.schema) route.schema = routeJsonSchema(route.schema);
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
  installAuthHook(app, app.deps);
}, { name: 'tether-core' });

const apiPlugin = fp(async (app: FastifyInstance) => {
  await app.register(async (api) => {
    api.get('/openapi.json', { config: { access: 'public' }, schema: { hide: true } }, async () => app.swagger());
  }, { prefix: API_PREFIX });
  await registerApiRoutes(app, coreRoutes);
  // Kasm's Developer API under /api/public, authenticated by API keys (src/api/kasm)
  await app.register(async (child) => kasmApi(child, routeDeps(app)));
}, { name: 'tether-api', dependencies: ['tether-core'] });

export async function buildApp(deps: AppDeps, features: Feature[] = []): Promise<FastifyInstance> {
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
  try {
    await app.register(corePlugin, deps);
    for (const feature of features) await app.register(feature);
    await app.register(apiPlugin);
    await app.ready();
  } catch (err) {
    // what the features opened (engines, workers) is released by their onClose hooks
    await app.close().catch(() => {});
    throw err;
  }
  return app;
}
