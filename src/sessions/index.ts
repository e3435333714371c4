// The session use-cases' public surface: import from here.
export { createSessionManager, type SessionManagerOptions } from './manager.js';
export * from './types.js';
export { toSessionJson, type SessionJson } from './session-json.js';
export { profileOffer, planProfile, type ProfileOffer } from './profile.js';
export { resolveSessionMounts, mountsBasisOf, type MountsResolver } from './effective-mounts.js';
export { createStorageHealth, DEFAULT_STORAGE_TIMEOUT_MS, MAX_STORAGE_TIMEOUT_MS, type StorageHealthChecker, type StorageHealthReport, type StorageTarget } from './storage-health.js';
export { singleEngineTargets, swarmTargets } from './storage-targets.js';
export { swarmPlacement, type PlacementAgents } from './placement-swarm.js';
export type { NodeStatus, AgentState } from './placement.js';
