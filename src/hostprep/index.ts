// Host preparation: choose the local worker pool when Tether shares the engine's host,
// a helper container on the engine otherwise.
export type { FailureClass, HostPreparer, PrepareRequest, PrepareResult } from './types.js';
export { createLocalHostPreparer, type LocalHostPreparer, type LocalHostPreparerOptions } from './local-preparer.js';
export type { WorkerPoolStats } from './worker-pool.js';
