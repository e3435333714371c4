// The session use-cases' vocabulary: progress events, the manager's interface, its errors.
import type { EffectiveMountsView } from '../mappings/types.js';
import type { SessionRecord, SessionState } from '../store/types.js';
import type { SessionEventType, SessionState as WireSessionState } from './vocabulary.js';
import type { NodeStatus } from './placement.js';

/** A node as GET /nodes shows it: Swarm's view, its agent, and the sessions Tether placed there. */
export interface NodeJson extends NodeStatus {
  /** sessions on this node by state (active ones: requested .. running, stopping, lost) */
  sessions: { active: number; running: number; lost: number };
}

export { ACTIVE_STATES, FINAL_STATES, LAUNCH_DONE_STATES, TRANSIENT_STATES, type SessionEventType } from './vocabulary.js';

export interface SessionEvent {
  /** 1, 2, 3, ... per session: the order of the stream */
  seq: number;
  type: SessionEventType;
  at: string;
  session_id: string;
  data: Record<string, unknown>;
}

// the store keeps the states the API shows: this fails to compile when the two lists drift
type SameUnion<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _storeStatesAreTheApiStates: SameUnion<SessionState, WireSessionState> = true;

/** Who asked: recorded in logs; admins may act on anyone's session. */
export interface Actor {
  user_id: string | null;
  username: string;
  isAdmin: boolean;
}

export const SYSTEM_ACTOR: Actor = { user_id: null, username: 'tether', isAdmin: true };

export type SessionErrorCode =
  | 'not_found'
  | 'forbidden'
  | 'image_not_found'
  | 'image_disabled'
  | 'image_not_allowed'
  | 'user_not_found'
  | 'limit_reached'
  | 'invalid_state'
  /** the profile is mounted read-write by another live session (409) */
  | 'profile_in_use'
  /** the image has no profile, or no group of the user allows one, and the launch asked for one (403) */
  | 'profile_not_allowed';

/** Thrown by launch/destroy for requests that cannot proceed; the API maps code -> status. */
export class SessionError extends Error {
  override readonly name = 'SessionError';
  constructor(
    readonly code: SessionErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Kasm's persistent_profile_mode (request_kasm), parsed case-insensitively by parseProfileMode. */
export type PersistentProfileMode = import('../mappings/profile.js').ProfileMode;

export interface LaunchRequest {
  imageId: string;
  userId: string;
  actor: Actor;
  /** environment variables for the session's container (NAME -> value), added to the image's own */
  environment?: Record<string, string>;
  /** enabled (default where offered), disabled or reset; either case (Kasm sends Enabled/Disabled/Reset) */
  persistent_profile_mode?: PersistentProfileMode | 'enabled' | 'disabled' | 'reset';
}

/** What a keepalive did: the session afterwards, and whether its time limit moved. */
export interface KeepaliveResult {
  record: SessionRecord;
  /** whether expires_at moved later */
  extended: boolean;
  /** Kasm's usage_reached: Tether has no usage budget, so always false */
  usage_reached: boolean;
}

export interface ReconcileReport {
  removedContainers: string[];
  failedSessions: string[];
  destroyedSessions: string[];
  expiredSessions: string[];
  /** running sessions whose node went down or was cut off, now `lost` */
  lostSessions: string[];
  /** lost sessions whose node came back with their container still running */
  recoveredSessions: string[];
}

export interface DriftExplanation {
  drift: boolean;
  /** what changed since launch, one sentence each */
  changes: string[];
  /** the effective mounts a launch would get today (only when drifted and the merge succeeds) */
  mounts_now: EffectiveMountsView | null;
  /** why today's merge fails, when it does */
  error: string | null;
}

export interface SessionManager {
  /** Creates the session in state `requested` and returns; the launch goes on in the background. */
  launch(req: LaunchRequest): Promise<SessionRecord>;
  /** Resolves when the launch has finished: the session is running, failed or destroyed. */
  waitForLaunch(sessionId: string): Promise<SessionRecord>;
  /** Stops and removes the container, then state destroyed. Never touches host data. */
  destroy(sessionId: string, actor: Actor): Promise<SessionRecord>;
  /**
   * Keeps a running session alive: its expires_at becomes now + the time limit of its user's
   * groups (never earlier than it was; a session without a limit keeps none).
   */
  keepalive(sessionId: string, actor: Actor): Promise<KeepaliveResult>;
  /** Starts a destroy and returns the session in state stopping (for the API's 202). */
  beginDestroy(sessionId: string, actor: Actor): Promise<{ record: SessionRecord; done: Promise<SessionRecord> }>;
  /** Brings engine and store back in agreement (see reconcile.ts). */
  reconcile(): Promise<ReconcileReport>;
  /** Destroys running sessions past their expires_at. */
  sweepExpired(): Promise<string[]>;
  /** The progress stream: the buffered history first, then live events; ends after the session reaches one of `until`. */
  events(sessionId: string, opts?: { until?: readonly SessionState[]; signal?: AbortSignal }): AsyncIterable<SessionEvent>;
  /**
   * Whether something a running session's effective mounts were computed from changed since
   * launch (mappings, priorities, membership, username, profile, policy); null when not running.
   */
  drift(record: SessionRecord): Promise<boolean | null>;
  /** The same, with what changed and, when it drifted, the effective mounts of today (the only merge); null when not running. */
  explainDrift(record: SessionRecord): Promise<DriftExplanation | null>;
  /** Every node sessions may run on, as it is now, with its session counts (`tether node list`). */
  nodes(signal?: AbortSignal): Promise<NodeJson[]>;
  /** Starts the periodic reconcile + expiry sweep. */
  startBackground(opts?: { reconcileEveryMs?: number; sweepEveryMs?: number }): void;
  /** Stops timers and waits for launches/destroys in flight (bounded by their deadlines). */
  close(): Promise<void>;
}
