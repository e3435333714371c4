export { createMetrics, SESSION_STATES, VOLUME_CHECK_RESULTS, type TetherMetrics, type MetricsOptions } from './metrics.js';
export { metricsRoute, type MetricsRouteOptions } from './metrics-route.js';
