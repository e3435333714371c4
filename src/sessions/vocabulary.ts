// The session states and progress-event types, as the API shows them: one list for the
// server, the CLI and the web UI. Pure (no imports at all), because the web build bundles it.

/** lost: its node went down or was cut off; reconcile settles it when the node is back (running again, or failed) */
export const SESSION_STATES = ['requested', 'preparing', 'starting', 'running', 'stopping', 'destroyed', 'failed', 'lost'] as const;
export type SessionState = (typeof SESSION_STATES)[number];

/** Every event a session's progress stream carries (GET /sessions/:id/events, SSE event names). */
export const SESSION_EVENT_TYPES = [
  'state',
  'image.pull',
  'mapping.prepared',
  'mapping.checked',
  'mapping.skipped',
  'mapping.failed',
  'container.created',
  'container.started',
  'container.removed',
  /** persistent profile: created and seeded, or reset (with what was removed) */
  'profile',
  'warning',
] as const;
export type SessionEventType = (typeof SESSION_EVENT_TYPES)[number];

/** States after which a launch has finished (successfully or not). */
export const LAUNCH_DONE_STATES: readonly SessionState[] = ['running', 'failed', 'destroyed'];
/** States a session never leaves. */
export const FINAL_STATES: readonly SessionState[] = ['failed', 'destroyed'];
/** States a session must not be left in after a crash. */
export const TRANSIENT_STATES: readonly SessionState[] = ['requested', 'preparing', 'starting', 'stopping'];
/** States that count against max_sessions_per_user (a lost session may still run on its node). */
export const ACTIVE_STATES: readonly SessionState[] = ['requested', 'preparing', 'starting', 'running', 'stopping', 'lost'];

/**
 * A zone name (the node label tether.zone, an image's `zones`): label-safe, 1 to 63 letters,
 * digits, '.', '_' or '-', starting and ending with a letter or digit.
 */
export const ZONE_NAME_PATTERN = '^[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$';
