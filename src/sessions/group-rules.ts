// What a user's groups allow: which images, how many sessions, how long. Pure functions.
import { MAX_SESSION_TIME_LIMIT, MAX_SESSIONS_PER_USER } from '../store/system-groups.js';
import type { GroupRecord, ImageRecord } from '../store/types.js';

/** When a user is in no group at all (should not happen: everyone is in "All Users"). */
export const DEFAULT_MAX_SESSIONS = 5;

/** An image is open to a user when it is enabled and its group list is empty or shares a group. */
export function imageAccessProblem(image: ImageRecord, groups: GroupRecord[]): string | null {
  if (!image.enabled) return `image "${image.name}" is disabled; an administrator must enable it first`;
  if (image.groups.length === 0) return null;
  const mine = new Set(groups.map((g) => g.group_id));
  if (image.groups.some((id) => mine.has(id))) return null;
  return `image "${image.name}" is open only to members of its groups; the user belongs to none of them`;
}

/**
 * The LARGEST max_sessions_per_user across the user's groups: group settings grant
 * capacity, so joining a "power users" group with 20 raises the default 5 of "All Users".
 */
export function maxSessionsFor(groups: GroupRecord[]): number {
  if (groups.length === 0) return DEFAULT_MAX_SESSIONS;
  return Math.min(MAX_SESSIONS_PER_USER, Math.max(...groups.map((g) => g.settings.max_sessions_per_user)));
}

/**
 * The SMALLEST session_time_limit (seconds) across the user's groups; null = no limit. A value
 * stored before the API bounded it is clamped to the bound: an expiry date past what a Date
 * holds would make every launch fail.
 */
export function timeLimitFor(groups: GroupRecord[]): number | null {
  const limits = groups.map((g) => g.settings.session_time_limit).filter((s): s is number => typeof s === 'number' && s > 0);
  return limits.length === 0 ? null : Math.min(MAX_SESSION_TIME_LIMIT, ...limits);
}
