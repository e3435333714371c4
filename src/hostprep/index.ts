// Host preparation (spec section 6): make the mapped folder ready and prove the storage
// answers, within the mapping's deadline, without ever blocking Tether on hung storage.
export type { BindCheck, DirIdentity, FailureClass, HostPreparer, PrepareRequest, PrepareResult, StorageProbeRequest, StorageProbeResult, VerifyFinding, VerifyResult } from './types.js';
export { STORAGE_MARKER_PREFIX } from './types.js';
export { DEFAULT_STAGING_ROOT } from './staging.js';
export { createLocalHostPreparer, type LocalHostPreparer, type LocalHostPreparerOptions } from './local-preparer.js';
export { createEngineHostPreparer, HELPER_LABEL, type EngineHostPreparer, type EngineHostPreparerOptions } from './engine-preparer.js';
export { createHostPreparer, type HostPreparerChoice } from './choose-preparer.js';
export type { WorkerPoolStats, PoolLogger } from './worker-pool.js';
