// The session as the API and the CLI show it.
import type { EffectiveMountsView } from '../mappings/types.js';
import type { ImageRecord, SessionNode, SessionPlacement, SessionRecord, SessionFailure, SessionState, SessionWarning, UserRecord } from '../store/types.js';

export interface SessionJson {
  id: string;
  state: SessionState;
  user: { id: string; username: string | null };
  /** web_port: where the image's web app listens (6901: a noVNC desktop); null = none or the image is gone */
  image: { id: string; name: string | null; web_port: number | null };
  container_id: string | null;
  /** the effective-mounts view of what was actually mounted (left-out mounts are in warnings) */
  mounts: EffectiveMountsView | null;
  warnings: SessionWarning[];
  error: SessionFailure | null;
  created_at: string;
  updated_at: string;
  expires_at: string | null;
  /** running sessions: whether the effective mounts would differ today; null otherwise */
  drift: boolean | null;
  /** the swarm node it runs (or ran) on; null on the single engine or before placement */
  node: SessionNode | null;
  /** why it runs there: the choice and every node tried; null before placement and on the single engine */
  placement: SessionPlacement | null;
}

export function toSessionJson(rec: SessionRecord, refs: { user?: UserRecord | undefined; image?: ImageRecord | undefined; drift: boolean | null }): SessionJson {
  return {
    id: rec.session_id,
    state: rec.state,
    user: { id: rec.user_id, username: refs.user?.username ?? null },
    image: { id: rec.image_id, name: refs.image?.name ?? null, web_port: refs.image?.web_port ?? null },
    container_id: rec.container_id,
    mounts: rec.mounts,
    warnings: rec.warnings,
    error: rec.error,
    created_at: rec.created_at,
    updated_at: rec.updated_at,
    expires_at: rec.expires_at,
    drift: refs.drift,
    node: rec.node ?? null,
    placement: rec.placement ?? null,
  };
}
