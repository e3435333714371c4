// Joins the session use-cases to `tether server` (a DepsExtension, see server.ts): the Docker
// runtime, host preparation, the session manager and metrics; the sessions routes under
// /api/v1 and GET /metrics at the root; reconcile at start and every 30 s; expiry sweep.
import pino, { type Logger } from 'pino';
import type { DepsExtension } from './server.js';
import { createDockerRuntime } from './runtime/docker/index.js';
import { createLocalHostPreparer } from './hostprep/index.js';
import { createSessionManager } from './sessions/index.js';
import { createMetrics, metricsRoute } from './metrics/index.js';
import { sessionsRoutes } from './api/routes/sessions.js';

export const RECONCILE_EVERY_MS = 30_000;

export function sessionsExtension(): DepsExtension {
  return async (deps, config) => {
    const logger: Logger = typeof deps.logger === 'object' ? deps.logger : pino({ level: 'info' });
    const runtime = createDockerRuntime(config.dockerHost ? { dockerHost: config.dockerHost } : {});
    // Host preparation runs on this machine: right when the engine is local (the default).
    const preparer = createLocalHostPreparer({ policy: config.policy });
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
