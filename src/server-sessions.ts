// Joins the session use-cases to `tether server` (a DepsExtension, see server.ts): the Docker
// runtime, host preparation, the session manager and metrics; the sessions routes under
// /api/v1 and GET /metrics at the root; reconcile at start and every 30 s; expiry sweep.
import pino, { type Logger } from 'pino';
import type { DepsExtension } from './server.js';
import { createDockerRuntime } from './runtime/docker/index.js';
import { createHostPreparer } from './hostprep/index.js';
import { createSessionManager } from './sessions/index.js';
import { createMetrics, metricsRoute } from './metrics/index.js';
import { sessionsRoutes } from './api/routes/sessions.js';

export const RECONCILE_EVERY_MS = 30_000;
/**
 * Helper-container image for host preparation on a REMOTE engine (DOCKER_HOST not local):
 * any image with busybox sh, mkdir, chown, stat, find, readlink; it must be present there.
 * Not configurable yet (config.ts has no setting for it).
 */
export const REMOTE_HELPER_IMAGE = 'busybox:1.36';

export function sessionsExtension(): DepsExtension {
  return async (deps, config) => {
    const logger: Logger = typeof deps.logger === 'object' ? deps.logger : pino({ level: 'info' });
    const runtime = createDockerRuntime(config.dockerHost ? { dockerHost: config.dockerHost } : {});
    // Local worker processes when the engine is on this host (the default), else helper containers on it.
    const preparer = createHostPreparer({ runtime, helperImage: REMOTE_HELPER_IMAGE, policy: config.policy, logger });
    const metrics = createMetrics({ store: deps.store });
    const manager = createSessionManager({ store: deps.store, runtime, preparer, policy: config.policy, logger: logger.child({ component: 'sessions' }), metrics });
    deps.sessions = manager;
    deps.plugins = [...(deps.plugins ?? []), sessionsRoutes(manager)];
    deps.rootPlugins = [...(deps.rootPlugins ?? []), metricsRoute(metrics)];
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
