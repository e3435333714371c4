// What route files receive, and the decorators the core plugin and the features add to the
// Fastify instance (app.ts); only server.ts listens on a port.
import type { GroupRecord, Store, UserRecord } from '../store/types.js';
import type { HostPathPolicy } from '../mappings/types.js';
import type { Logger } from 'pino';

/** Who is calling, set by the auth hook before any route handler or body validation. */
export interface Principal {
  user: UserRecord;
  isAdmin: boolean;
  /** how the caller authenticated */
  via: 'token' | 'cookie';
  token_id: string;
  /** the caller's groups (priority order), loaded on first use by callerGroups() and kept for the request */
  groups?: GroupRecord[];
}

declare module 'fastify' {
  interface FastifyRequest {
    /** null when the request carried no valid credentials (public routes only) */
    principal: Principal | null;
  }
}

/**
 * Route-level access, checked in an onRequest hook (before body parsing/validation):
 * 'public' = anyone; 'user' = any signed-in user; 'admin' = administrators only;
 * 'apikey' = an API key with the route's config.apiKey permission (never a user's token or cookie).
 * Set as `config: { access: 'admin' }` on each route.
 */
export type Access = 'public' | 'user' | 'admin' | 'apikey';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
    /** access 'apikey' (the Kasm-compatible API, src/api/kasm): the permission the call needs */
    apiKey?: import('../auth/api-keys.js').ApiKeyNeed;
  }
  interface FastifyRequest {
    /** access 'apikey': the key the call was made with, once authenticated (src/api/kasm/transport.ts) */
    apiKey: import('../store/types.js').ApiKeyRecord | null;
  }
}

/** What buildApp and every route plugin are given; the optional services are absent on a server without them. */
export interface AppDeps {
  store: Store;
  policy: HostPathPolicy;
  logger?: Logger | boolean;
  /**
   * the session use-cases (src/sessions), as route files see them: app.sessions, the sessions
   * feature's decorator, filled in by registerApiRoutes; absent without that feature (no
   * container engine: the Kasm API and user deletion then say so)
   */
  sessions?: import('../sessions/types.js').SessionManager;
  /** login throttling: free failures and growing delays per (account, address) and per address (auth/login-throttle.ts) */
  throttle?: import('../auth/login-throttle.js').ThrottleOptions;
  /**
   * reverse proxies whose X-Forwarded-For is believed for the client address (addresses or
   * CIDRs, Fastify's trustProxy); empty or absent = the connection's address, the header ignored
   */
  trustedProxies?: string[];
  now?: () => Date;
  /** password hashing and login sessions; tests lower scryptN (e.g. 2**10) to stay fast */
  auth?: { scryptN?: number; loginSessionTtlMs?: number };
  /** seals registry credentials before they are stored and opens them for a pull (src/secrets); without it images cannot take registry_auth */
  secrets?: import('../secrets/index.js').SecretBox;
  /** largest accepted request body in bytes (default 256 KiB); larger bodies get 413 */
  bodyLimit?: number;
  /** where revocations are published (routes) and heard (terminals, app proxy); the core plugin makes one when absent */
  revocations?: import('../auth/revocations.js').RevocationHub;
  /** true when Tether is served over HTTPS (TETHER_PUBLIC_URL https://...): cookies named __Host-..., Secure */
  secureCookies?: boolean;
}

/** One registered route, as the app records it (the security matrix test is generated from it). */
export interface RouteEntry {
  method: string;
  url: string;
  access: Access;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** every route registered (under /api/v1 and at the root), with its access level (the core plugin) */
    tetherRoutes: RouteEntry[];
    /** the deps buildApp was given, revocations filled in (the core plugin, 'tether-core') */
    deps: AppDeps & { revocations: import('../auth/revocations.js').RevocationHub };
    /** the session manager (the sessions feature, 'tether-sessions') */
    sessions: import('../sessions/types.js').SessionManager;
    /** where sessions run (the sessions feature of `tether server`) */
    runtime: import('../runtime/types.js').Runtime;
    /** Prometheus metrics (the metrics feature of `tether server`, 'tether-metrics') */
    metrics: import('../metrics/metrics.js').TetherMetrics;
  }
}
