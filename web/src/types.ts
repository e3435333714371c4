// The API's JSON, as the web UI reads it (see docs/api.md and docs/sessions.md).
import type { EffectiveMountsView } from '../../src/mappings/index.js';
import type { SessionEventType, SessionState } from '../../src/sessions/vocabulary.js';
export type { EffectiveMount, EffectiveMountsView, MountSource } from '../../src/mappings/index.js';
export type { SessionEventType, SessionState } from '../../src/sessions/vocabulary.js';

export interface User { user_id: string; username: string; disabled: boolean; created_at: string; updated_at: string }
export interface GroupSettings { volume_mappings: Record<string, unknown>; allow_persistent_profile: boolean; max_sessions_per_user: number; session_time_limit: number | null }
export interface Group { group_id: string; name: string; priority: number; system: boolean; settings: GroupSettings; created_at: string; updated_at: string }
export interface Me { user: User; groups: Group[]; is_admin: boolean }
export interface Image {
  image_id: string; name: string; friendly_name: string; docker_image: string; volume_mappings: Record<string, unknown>;
  enabled: boolean; groups: string[]; created_at: string; updated_at: string;
  persistent_profile_path?: string | null;
  /** swarm: the zones its sessions may run in; empty = any */
  zones?: string[];
}
export interface SessionProblem { mapping: string; class: string; message: string }
export interface Session {
  id: string; state: SessionState; user: { id: string; username: string | null }; image: { id: string; name: string | null; web_port: number | null };
  container_id: string | null; mounts: EffectiveMountsView | null; warnings: SessionProblem[]; error: SessionProblem | null;
  created_at: string; drift: boolean | null;
  /** swarm: where it runs and why (null on the single engine) */
  node?: { id: string; hostname: string; zone: string | null } | null;
  placement?: { reason: string; tried: Array<{ node: string; outcome: string }> } | null;
}
export interface SessionEvent { seq: number; type: SessionEventType; at: string; data: Record<string, unknown> }
export interface AuditEntry {
  audit_id: string; at: string; actor_name: string; action: string; target_type: string; target_name: string | null; target_id: string | null;
}
export type ProfileMode = 'enabled' | 'disabled' | 'reset';
/** What GET /effective-mounts says the launch may do with the image's persistent profile. */
export interface ProfileOffer { allowed: boolean; reason: string | null; modes: ProfileMode[]; host_path: string | null; bind: string | null }
export interface MountsAnswer extends EffectiveMountsView { image: { image_id: string; name: string }; user: { user_id: string; username: string }; profile?: ProfileOffer }
/** An API key of the Kasm-compatible API (GET /api-keys): never its secret. */
export interface ApiKey {
  api_key_id: string; name: string; api_key: string; permissions: string[]; read_only: boolean;
  created_by: string | null; created_at: string; expires_at: string | null; revoked_at: string | null; last_used_at: string | null;
}
/** The answer of POST /api-keys: the only time the secret is ever sent. */
export interface CreatedApiKey extends ApiKey { api_key_secret: string }
