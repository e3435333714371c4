// The store's public surface: import from here, not from the implementation files.
export * from './types.js';
export { openStore, defaultDatabaseUrl, isPostgresUrl, SQLITE_FILE_NAME, type OpenStoreOptions } from './open-store.js';
export {
  ADMINISTRATORS_GROUP_ID,
  ADMINISTRATORS_GROUP_NAME,
  ADMINISTRATORS_PRIORITY,
  ALL_USERS_GROUP_ID,
  ALL_USERS_GROUP_NAME,
  ALL_USERS_PRIORITY,
  defaultGroupSettings,
  isSystemGroupId,
} from './system-groups.js';
export { AUDIT_DEFAULT_LIMIT, AUDIT_MAX_LIMIT } from './repos/audit-repo.js';
