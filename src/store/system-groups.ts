// The two system groups every store has from its first migration. Their ids are fixed so
// code (and other Tether instances on the same database) can name them without a lookup.
import type { GroupSettings } from './types.js';

export const ADMINISTRATORS_GROUP_ID = '00000000-0000-4000-8000-000000000001';
export const ALL_USERS_GROUP_ID = '00000000-0000-4000-8000-000000000002';

export const ADMINISTRATORS_GROUP_NAME = 'Administrators';
export const ALL_USERS_GROUP_NAME = 'All Users';

export const ADMINISTRATORS_PRIORITY = 1;
export const ALL_USERS_PRIORITY = 1000;

/** Upper bounds of the numeric group settings (the API refuses more; older rows are clamped where used). */
export const MAX_SESSION_TIME_LIMIT = 365 * 24 * 60 * 60; // seconds: one year
export const MAX_SESSIONS_PER_USER = 1000;

/** Settings of a group nobody has configured yet: the documented defaults. */
export function defaultGroupSettings(): GroupSettings {
  return { volume_mappings: {}, allow_persistent_profile: false, max_sessions_per_user: 5, session_time_limit: null };
}

export function isSystemGroupId(groupId: string): boolean {
  return groupId === ADMINISTRATORS_GROUP_ID || groupId === ALL_USERS_GROUP_ID;
}
