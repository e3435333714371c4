// Tether's Prometheus metrics, on a registry of their own (never prom-client's global one,
// so tests and several app instances in one process never collide).
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { SessionState, Store } from '../store/types.js';

export const SESSION_STATES: readonly SessionState[] = ['requested', 'preparing', 'starting', 'running', 'stopping', 'destroyed', 'failed'];
export const VOLUME_CHECK_RESULTS = ['ok', 'skipped', 'timeout', 'missing', 'permission', 'not_directory', 'policy', 'io'] as const;

export interface TetherMetrics {
  registry: Registry;
  /** outcome: running | failed */
  launches: Counter<'outcome'>;
  /** API/use-case request to running, seconds */
  launchDuration: Histogram<never>;
  /** one per host-path preparation, by result class */
  volumeChecks: Counter<'result'>;
  sessions: Gauge<'state'>;
}

export interface MetricsOptions {
  /** counts sessions by state on every scrape; omitted = the gauge stays empty */
  store?: Pick<Store, 'sessions'>;
}

export function createMetrics(opts: MetricsOptions = {}): TetherMetrics {
  const registry = new Registry();
  const launches = new Counter({ name: 'tether_launches_total', help: 'Session launches by outcome (running or failed)', labelNames: ['outcome'], registers: [registry] });
  for (const outcome of ['running', 'failed']) launches.inc({ outcome }, 0);
  const launchDuration = new Histogram({
    name: 'tether_launch_duration_seconds',
    help: 'Time from the launch request to the session running',
    buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120],
    registers: [registry],
  });
  const volumeChecks = new Counter({ name: 'tether_volume_checks_total', help: 'Host preparations of mapped volumes by result class', labelNames: ['result'], registers: [registry] });
  for (const result of VOLUME_CHECK_RESULTS) volumeChecks.inc({ result }, 0);
  const store = opts.store;
  const sessions = new Gauge({
    name: 'tether_sessions',
    help: 'Sessions by state, counted in the store at scrape time',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      if (!store) return;
      const counts = new Map<string, number>(SESSION_STATES.map((s) => [s, 0]));
      for (const s of await store.sessions.list()) counts.set(s.state, (counts.get(s.state) ?? 0) + 1);
      for (const [state, n] of counts) this.set({ state }, n);
    },
  });
  return { registry, launches, launchDuration, volumeChecks, sessions };
}
