// Tether's records as Kasm's Developer API shows them: field names as Kasm documents them,
// ids in Kasm's form (32 hex characters), dates in Kasm's "YYYY-MM-DD HH:MM:SS.ffffff" (UTC).
// Fields Tether has no data for are present with null (or Kasm's neutral value), so clients
// that read them find them; docs/kasm-api.md lists each.
import { hostname } from 'node:os';
import type { GroupRecord, ImageRecord, SessionRecord, SessionState, UserRecord } from '../../store/types.js';
import { toKasmId } from './ids.js';

/** ISO-8601 -> Kasm's date text; null stays null. */
export function kasmDate(iso: string | null): string | null {
  if (iso === null) return null;
  const d = new Date(iso).toISOString(); // 2026-01-02T03:04:05.678Z
  return `${d.slice(0, 10)} ${d.slice(11, 23)}000`;
}

/** Kasm's operational_status for each Tether session state, with the progress clients poll. */
const OPERATIONAL: Record<SessionState, { status: string; progress: number; message: string }> = {
  requested: { status: 'requested', progress: 5, message: 'Session requested' },
  preparing: { status: 'provisioning', progress: 25, message: 'Preparing the mapped storage' },
  starting: { status: 'starting', progress: 60, message: 'Starting the container' },
  running: { status: 'running', progress: 100, message: 'Running' },
  stopping: { status: 'deleting', progress: 100, message: 'Stopping' },
  destroyed: { status: 'stopped', progress: 100, message: 'Destroyed' },
  failed: { status: 'stopped', progress: 100, message: 'Failed to start' },
  // Kasm has no word for it: the session's node is unreachable, its container unchecked
  lost: { status: 'running', progress: 100, message: 'Node unreachable (lost)' },
};

export const operationalOf = (state: SessionState) => OPERATIONAL[state];

export function kasmImage(image: ImageRecord | undefined, imageId: string) {
  return {
    image_id: toKasmId(imageId),
    // Kasm's image name is the container image reference
    name: image?.docker_image ?? null,
    friendly_name: image?.friendly_name ?? image?.name ?? null,
  };
}

export function kasmSession(rec: SessionRecord, refs: { user: UserRecord | undefined; image: ImageRecord | undefined }) {
  return {
    kasm_id: toKasmId(rec.session_id),
    user_id: toKasmId(rec.user_id),
    username: refs.user?.username ?? null,
    image_id: toKasmId(rec.image_id),
    image: kasmImage(refs.image, rec.image_id),
    operational_status: OPERATIONAL[rec.state].status,
    container_id: rec.container_id,
    // not exposed: a session's apps are reached through Tether's app proxy
    container_ip: null,
    host: rec.host ?? hostname(),
    hostname: rec.host ?? hostname(),
    port: refs.image?.web_port ?? null,
    share_id: null,
    start_date: kasmDate(rec.created_at),
    expiration_date: kasmDate(rec.expires_at),
    // the stored profile is mounted (mode enabled or reset): it is one of the session's mounts
    is_persistent_profile: rec.mounts?.mounts.some((m) => m.source.kind === 'profile') ?? false,
    cores: refs.image?.cores ?? null,
    memory: refs.image?.memory ?? null,
  };
}

export function kasmGroupRef(g: GroupRecord) {
  return { name: g.name, group_id: toKasmId(g.group_id) };
}

export function kasmUser(u: UserRecord, groups: GroupRecord[], lastSession: string | null) {
  return {
    user_id: toKasmId(u.user_id),
    username: u.username,
    first_name: null,
    last_name: null,
    phone: null,
    organization: null,
    notes: null,
    realm: 'local',
    locked: false,
    disabled: u.disabled,
    created: kasmDate(u.created_at),
    last_session: kasmDate(lastSession),
    groups: groups.map(kasmGroupRef),
  };
}

export function kasmImageListing(i: ImageRecord) {
  return {
    image_id: toKasmId(i.image_id),
    name: i.docker_image,
    friendly_name: i.friendly_name,
    description: null,
    enabled: i.enabled,
    available: i.enabled,
    cores: i.cores,
    memory: i.memory,
    image_src: null,
    persistent_profile_path: i.persistent_profile_path,
    // Tether's own name of the image (`tether image ...`)
    tether_name: i.name,
  };
}

/** Kasm's "current_time" of answers about sessions. */
export const currentTime = (now: Date): string => kasmDate(now.toISOString()) as string;
