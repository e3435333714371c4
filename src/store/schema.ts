// Row shapes as the database holds them (Kysely's view). Repos convert to and from the
// records of types.ts: JSON fields are text on both dialects (keeps object key order,
// which jsonb would not), booleans are 0/1 on SQLite and boolean on PostgreSQL, timestamps
// are ISO-8601 UTC text (so text order is time order), and `*_key` columns hold the
// lower-cased name that the unique indexes compare case-insensitively.
import type { Generated } from 'kysely';

/** SQLite stores 0/1, PostgreSQL a boolean; both are read back through Boolean(). */
export type DbBool = boolean | number;
/** PostgreSQL's pg driver returns bigint as a string. */
export type DbBigint = number | string;

export interface UsersTable {
  user_id: string;
  username: string;
  username_key: string;
  password_hash: string;
  disabled: DbBool;
  created_at: string;
  updated_at: string;
}

export interface GroupsTable {
  group_id: string;
  name: string;
  name_key: string;
  priority: number;
  system: DbBool;
  settings: string;
  created_at: string;
  updated_at: string;
}

export interface GroupMembersTable {
  group_id: string;
  user_id: string;
}

export interface ImagesTable {
  image_id: string;
  name: string;
  name_key: string;
  friendly_name: string;
  docker_image: string;
  volume_mappings: string;
  persistent_profile_path: string | null;
  user: string | null;
  cores: number | null;
  memory: DbBigint | null;
  enabled: DbBool;
  groups: string;
  web_port: number | null;
  registry_auth_encrypted: string | null;
  /** JSON of ImageSecurity; null = {} (rows from before migration 0003) */
  security: string | null;
  /** container path of the persistent profile; null = /home/user (migration 0006) */
  profile_home: string | null;
  /** seconds; null = 10 (migration 0006) */
  profile_timeout: number | null;
  /** JSON string[]: the zones its sessions may run in; null = any (migration 0008) */
  zones: string | null;
  created_at: string;
  updated_at: string;
}

export interface TokensTable {
  token_id: string;
  user_id: string;
  kind: string;
  name: string;
  digest: string;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
}

export interface AuditTable {
  /** insertion order, to break ties between entries of the same millisecond */
  seq: Generated<number>;
  audit_id: string;
  at: string;
  actor_id: string | null;
  actor_name: string;
  action: string;
  target_type: string;
  target_id: string | null;
  target_name: string | null;
  before: string | null;
  after: string | null;
}

export interface SessionsTable {
  session_id: string;
  user_id: string;
  image_id: string;
  state: string;
  container_id: string | null;
  host: string | null;
  mounts: string | null;
  warnings: string;
  error: string | null;
  mappings_digest: string | null;
  /** JSON MountsBasis; null for sessions launched before it was recorded */
  mounts_basis: string | null;
  /** JSON SessionNode; null = the single engine, or not placed yet (migration 0008) */
  node: string | null;
  /** JSON SessionPlacement; null when not placed (migration 0008) */
  placement: string | null;
  created_at: string;
  updated_at: string;
  expires_at: string | null;
}

export interface MetaTable {
  key: string;
  value: string;
}

export interface ApiKeysTable {
  api_key_id: string;
  name: string;
  name_key: string;
  key: string;
  digest: string;
  permissions: string;
  read_only: DbBool;
  created_by: string | null;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
}

export interface LoginLinksTable {
  link_id: string;
  digest: string;
  user_id: string;
  session_id: string;
  created_by: string;
  created_at: string;
  expires_at: string;
  used_at: string | null;
}

/** A username no user holds any more (migration 0004) */
export interface RetiredUsernamesTable {
  username_key: string;
  username: string;
  /** its last holder */
  user_id: string;
  retired_at: string;
}

/** One profile folder mounted read-write by a live session (migration 0006) */
export interface ProfileLocksTable {
  profile_path: string;
  session_id: string;
  user_id: string;
  image_id: string;
  acquired_at: string;
}

export interface Database {
  users: UsersTable;
  groups: GroupsTable;
  group_members: GroupMembersTable;
  images: ImagesTable;
  tokens: TokensTable;
  audit: AuditTable;
  sessions: SessionsTable;
  meta: MetaTable;
  retired_usernames: RetiredUsernamesTable;
  api_keys: ApiKeysTable;
  login_links: LoginLinksTable;
  profile_locks: ProfileLocksTable;
}
