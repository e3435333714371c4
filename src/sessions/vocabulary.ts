// The session states and progress-event types, as the API shows them: one list for the
// server, the CLI and the web UI. Pure (no imports at all), because the web build bundles it.

export const SESSION_STATES = ['requested', 'preparing', 'starting', 'running', 'stopping', 'destroyed', 'failed'] as const;
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
/** States that count against max_sessions_per_user. */
export const ACTIVE_STATES: readonly SessionState[] = ['requested', 'preparing', 'starting', 'running', 'stopping'];
