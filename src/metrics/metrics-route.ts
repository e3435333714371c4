// GET /metrics in Prometheus' text format, registered at the root (not under /api/v1).
// Access (checked by the API's auth hook like any route): 'admin' by default, so Prometheus
// scrapes with an administrator's API token (`authorization: { credentials: tth_... }` in
// its scrape config); 'public' for a private network where the port is not reachable from
// outside (TETHER_METRICS_PUBLIC=1 on the server).
import type { FastifyInstance } from 'fastify';
import type { TetherMetrics } from './metrics.js';

export interface MetricsRouteOptions {
  access?: 'admin' | 'public';
}

export function metricsRoute(metrics: TetherMetrics, opts: MetricsRouteOptions = {}) {
  return async function registerMetricsRoute(app: FastifyInstance): Promise<void> {
    app.get('/metrics', { config: { access: opts.access ?? 'admin' } }, async (_req, reply) => {
      const text = await metrics.registry.metrics();
      return reply.header('content-type', metrics.registry.contentType).send(text);
    });
  };
}
