// The vocabulary of the persistent-data domain (spec sections 2 to 5).
// Field names follow Kasm's JSON (snake_case) so a document round-trips unchanged.

export type Mode = 'rw' | 'ro';

/** One mapping's value after normalization: every default filled in; uid/gid only when given. */
export interface MappingSpec {
  bind: string;
  mode: Mode;
  uid?: number;
  gid?: number;
  required: boolean;
  /** seconds, 0 < timeout <= 600 */
  timeout: number;
  skip_check: boolean;
}

/** A normalized volume-mapping document: host path (may hold tokens) -> spec. */
export type MappingDocument = Record<string, MappingSpec>;

/** Where a key is in JSON text: 1-based line and column. */
export interface TextPosition { line: number; column: number }

/**
 * One validation problem. `location` names it for people (`"/var/kasm_user_share".uid`,
 * `(document)`); `path` is the same place as data (['/var/kasm_user_share', 'uid'], [] for
 * the document); `line`/`column`, where the document was JSON text, place it there.
 */
export interface MappingError {
  location: string;
  path: Array<string | number>;
  message: string;
  line?: number;
  column?: number;
}

export type ParseResult =
  /** positions: parsed from text, where each key is, by JSON pointer (location.ts pointerOf) */
  | { ok: true; document: MappingDocument; positions?: ReadonlyMap<string, TextPosition> }
  | { ok: false; errors: MappingError[] };

/** The values tokens expand to. All three are validated before expansion. */
export interface TokenContext {
  username: string;
  user_id: string;
  image_id: string;
}

/** Host-path safety policy (spec section 3). */
export interface HostPathPolicy {
  /** Extra roots to deny besides the built-in list: Docker data root, sockets, Tether's data dir. */
  extraDenied: string[];
  /** When non-empty, every host path must resolve inside one of these roots. */
  allowedRoots: string[];
}

export interface MountSource {
  /** 'profile': the image's persistent profile, mounted as the session user's home */
  kind: 'image' | 'group' | 'profile';
  name: string;
  /** group priority; null for the image and the profile */
  priority: number | null;
}

/** One effective mount, as the effective-mounts view and the session JSON show it. */
export interface EffectiveMount {
  host_path: string;
  bind: string;
  mode: Mode;
  uid: number | null;
  gid: number | null;
  required: boolean;
  timeout: number;
  skip_check: boolean;
  source: MountSource;
}

export interface ShadowedMount extends EffectiveMount {
  shadowed_by: MountSource;
}

export interface OwnershipConflict {
  host_path: string;
  /** the mounts that disagree on uid/gid, winner first */
  mounts: Array<{ bind: string; uid: number | null; gid: number | null; source: MountSource }>;
  applied: { uid: number | null; gid: number | null; source: MountSource };
}

export interface EffectiveMountsView {
  mounts: EffectiveMount[];
  shadowed: ShadowedMount[];
  conflicts: OwnershipConflict[];
}
