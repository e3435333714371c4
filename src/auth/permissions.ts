// Who may do what. An administrator is a member of the system group "Administrators";
// everyone else is a user. Route-level access lives in the API (config.access).
import type { GroupRecord, Store } from '../store/types.js';
import { ADMINISTRATORS_GROUP_ID } from '../store/system-groups.js';

export function isAdminGroups(groups: GroupRecord[]): boolean {
  return groups.some((g) => g.group_id === ADMINISTRATORS_GROUP_ID);
}

/** Administrators who can still sign in (not disabled). */
export async function activeAdministrators(store: Store): Promise<string[]> {
  const members = await store.groups.members(ADMINISTRATORS_GROUP_ID);
  return members.filter((u) => !u.disabled).map((u) => u.user_id);
}
