// The sessions and metrics features of `tether server` (Fastify plugins, see api/app.ts).
// 'tether-metrics': the metrics (app.metrics) and GET /metrics at the root (public with
// TETHER_METRICS_PUBLIC=1). 'tether-sessions': the runtime (app.runtime), host preparation,
// the session manager (app.sessions) and the sessions routes under /api/v1; reconcile at
// start and every 30 s, expiry sweep; on close the manager, then host preparation, stop.
import pino, { type Logger } from 'pino';
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { registerApiRoutes, serveSessions } from './api/app.js';
import { storageHealthRoutes } from './api/routes/storage-health.js';
import { agentKeyRoutes } from './api/routes/agent-keys.js';
import type { Config } from './config.js';
import type { Runtime } from './runtime/types.js';
import { createRuntime } from './runtime/create-runtime.js';
import { createHostPreparer } from './hostprep/index.js';
import { createSessionManager, createStorageHealth, singleEngineTargets, swarmPlacement, swarmTargets } from './sessions/index.js';
import { swarmAgents, warnWithoutNoNewPrivileges } from './server-agents.js';
import { createMetrics, metricsRoute } from './metrics/index.js';
import { loadServerEnv, serverAgentKeyFile } from './config.js';
import { setUpSessionFirewall } from './server-firewall.js';

export const RECONCILE_EVERY_MS = 30_000;
/** how long the start-up sweep of stale stages may take (a remote engine may not answer) */
export const STAGE_SWEEP_TIMEOUT_MS = 10_000;
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

export interface ServerEnvOptions {
  /** where the server-only settings (TETHER_METRICS_PUBLIC, ...) are read; default process.env */
  env?: NodeJS.ProcessEnv;
}

/** Throws at once on a bad TETHER_METRICS_PUBLIC (e.g. "yes"): the server does not start. */
export function metricsPlugin(opts: ServerEnvOptions = {}) {
  const { metricsPublic } = loadServerEnv(opts.env);
  return fp(async (app: FastifyInstance) => {
    const metrics = createMetrics({ store: app.deps.store });
    app.decorate('metrics', metrics);
    await app.register(metricsRoute(metrics, { access: metricsPublic ? 'public' : 'admin' }));
  }, { name: 'tether-metrics', dependencies: ['tether-core'] });
}

/** Throws at once on a bad server-only setting: the server does not start. */
export function sessionsPlugin(config: Config, opts: ServerEnvOptions = {}) {
  const { sessionsReachApi, sessionDefaults } = loadServerEnv(opts.env);
  return fp(async (app: FastifyInstance) => {
    const deps = app.deps;
    const logger: Logger = typeof deps.logger === 'object' ? deps.logger : pino({ level: 'info' });
    // swarm: sessions are services on the swarm's nodes, placed by Tether; host preparation,
    // verify, exec and dial on a node go through that node's agent
    const agents = config.runtime === 'swarm' ? await swarmAgents(config.dataDir, logger) : undefined;
    if (agents) app.addHook('onClose', async () => agents.close());
    const runtime = createRuntime(config.runtime, { dockerHost: config.dockerHost, agents });
    app.decorate<Runtime>('runtime', runtime);
    if (runtime.kind === 'swarm') void warnWithoutNoNewPrivileges(runtime, logger);
    await setUpSessionFirewall({ local: runtime.local, listen: config.listen, reachApi: sessionsReachApi, logger });
    // Local worker processes when the engine is on this host (the default), else helper containers on it.
    // stages live under a folder per instance: what this instance's previous run left (a crash) is released now
    const stagingNamespace = await deps.store.instanceId();
    const preparer = createHostPreparer({ runtime, helperImage: REMOTE_HELPER_IMAGE, policy: deps.policy, logger, ...LOCAL_PREPARER_WORKERS, stagingNamespace });
    app.addHook('onClose', async () => {
      await preparer.close().catch((err: unknown) => logger.error({ err }, 'closing host preparation failed'));
    });
    await preparer.sweep(AbortSignal.timeout(STAGE_SWEEP_TIMEOUT_MS)).then(
      (n) => n > 0 && logger.warn({ swept: n }, 'host preparation: released stale stages (or helpers) of a previous run'),
      (err: unknown) => logger.error({ err }, 'host preparation: sweeping stale stages failed; they stay until the next start'),
    );
    const manager = createSessionManager({
      store: deps.store, runtime, preparer, policy: deps.policy, logger: logger.child({ component: 'sessions' }), metrics: app.metrics,
      // the server's one box (server.ts), the one the API seals registry credentials with
      decryptRegistryAuth: deps.secrets?.openRegistryAuth,
      containerDefaults: sessionDefaults,
      // terminals and app access on a session close as soon as it stops being usable
      onSessionEnding: (sessionId, state) => deps.revocations.publish({ kind: 'session', sessionId, reason: `session ${state}` }),
      ...(runtime.kind === 'swarm' && agents ? { placement: swarmPlacement(runtime, agents) } : {}),
    });
    // hooks run last-added first: the manager stops before host preparation closes
    app.addHook('onClose', async () => {
      await manager.close().catch((err: unknown) => logger.error({ err }, 'closing the session manager failed'));
    });
    await serveSessions(app, manager);
    // shared-storage health: on the swarm every node through its agent, else the engine's host through this preparer
    const storageTargets = runtime.kind === 'swarm' && agents ? swarmTargets((signal) => runtime.nodes(signal), agents) : singleEngineTargets(preparer);
    await registerApiRoutes(app, [storageHealthRoutes(createStorageHealth({ store: deps.store, targets: storageTargets }))]);
    // the agents' join key: rotated through the API (on a swarm also the agents' Swarm secret)
    await registerApiRoutes(app, [agentKeyRoutes({ dataDir: config.dataDir, keyFile: serverAgentKeyFile(config), swarm: runtime.kind === 'swarm' ? runtime.docker : undefined })]);
    try {
      const report = await manager.reconcile();
      logger.info({ reconcile: report }, 'sessions reconciled at start');
    } catch (err) {
      // The engine may be down: keep serving the API; the periodic reconcile retries.
      logger.error({ err }, 'reconcile at start failed (is the Docker Engine reachable?)');
    }
    manager.startBackground({ reconcileEveryMs: RECONCILE_EVERY_MS });
  }, { name: 'tether-sessions', dependencies: ['tether-core', 'tether-metrics'] });
}
