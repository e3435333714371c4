// Joins the session use-cases to `tether server` (a DepsExtension, see server.ts): the Docker
// runtime, host preparation, the session manager and metrics; the sessions routes under
// /api/v1 and GET /metrics at the root (public with TETHER_METRICS_PUBLIC=1); reconcile at start and every 30 s; expiry sweep.
import pino, { type Logger } from 'pino';
import type { DepsExtension } from './server.js';
import { createDockerRuntime } from './runtime/docker/index.js';
import { createEngineHostPreparer, createLocalHostPreparer } from './hostprep/index.js';
import { createSessionManager } from './sessions/index.js';
import { createMetrics, metricsRoute } from './metrics/index.js';
import { sessionsRoutes } from './api/routes/sessions.js';
import { createSecretBox } from './secrets/index.js';

export const RECONCILE_EVERY_MS = 30_000;
/**
 * Helper-container image for host preparation on a REMOTE engine (DOCKER_HOST not local):
 * any image with busybox sh, mkdir, chown, stat, find, readlink; it must be present there.
 * Not configurable yet (config.ts has no setting for it).
 */
export const REMOTE_HELPER_IMAGE = 'busybox:1.36';
/**
 * Host-preparation workers kept ready. Each mapping stuck on hung storage takes a worker out
 * of service until it is replaced; with only 2 ready, healthy launches then waited for a
 * fresh worker to start (bench/launch.bench.ts (c): p95 1.7x with 2, about 1.0x with 4).
 */
export const LOCAL_PREPARER_WORKERS = { minWorkers: 4, maxWorkers: 8 } as const;

export function sessionsExtension(): DepsExtension {
  return async (deps, config) => {
    const logger: Logger = typeof deps.logger === 'object' ? deps.logger : pino({ level: 'info' });
    const runtime = createDockerRuntime(config.dockerHost ? { dockerHost: config.dockerHost } : {});
    // Local worker processes when the engine is on this host (the default), else helper containers on it.
    const preparer = runtime.local
      ? createLocalHostPreparer({ policy: config.policy, logger, ...LOCAL_PREPARER_WORKERS })
      : createEngineHostPreparer({ docker: runtime.docker, image: REMOTE_HELPER_IMAGE, policy: config.policy });
    const metrics = createMetrics({ store: deps.store });
    // same key as the API's box seals with (TETHER_SECRET_KEY or <dataDir>/secret.key)
    const secrets = createSecretBox({ dataDir: config.dataDir, keyBase64: config.secretKey });
    const manager = createSessionManager({
      store: deps.store, runtime, preparer, policy: config.policy, logger: logger.child({ component: 'sessions' }), metrics,
      decryptRegistryAuth: (sealed) => secrets.openRegistryAuth(sealed),
    });
    deps.sessions = manager;
    deps.plugins = [...(deps.plugins ?? []), sessionsRoutes(manager)];
    deps.rootPlugins = [...(deps.rootPlugins ?? []), metricsRoute(metrics, { access: config.metricsPublic ? 'public' : 'admin' })];
    try {
      const report = await manager.reconcile();
      logger.info({ reconcile: report }, 'sessions reconciled at start');
    } catch (err) {
      // The engine may be down: keep serving the API; the periodic reconcile retries.
      logger.error({ err }, 'reconcile at start failed (is the Docker Engine reachable?)');
    }
    manager.startBackground({ reconcileEveryMs: RECONCILE_EVERY_MS });
    return async () => {
      await manager.close();
      await preparer.close();
    };
  };
}
