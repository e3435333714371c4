// What the API shows of each record: never a password hash, token digest or registry secret.
import type { GroupRecord, ImageRecord, TokenRecord, UserRecord } from '../store/types.js';
import { DEFAULT_PROFILE_HOME, DEFAULT_PROFILE_TIMEOUT } from '../mappings/index.js';

export const userJson = (u: UserRecord) => ({
  user_id: u.user_id,
  username: u.username,
  disabled: u.disabled,
  created_at: u.created_at,
  updated_at: u.updated_at,
});

export const groupJson = (g: GroupRecord) => ({
  group_id: g.group_id,
  name: g.name,
  priority: g.priority,
  system: g.system,
  settings: g.settings,
  created_at: g.created_at,
  updated_at: g.updated_at,
});

export const imageJson = (i: ImageRecord) => ({
  image_id: i.image_id,
  name: i.name,
  friendly_name: i.friendly_name,
  docker_image: i.docker_image,
  volume_mappings: i.volume_mappings,
  persistent_profile_path: i.persistent_profile_path,
  // where the profile is mounted and how long its preparation may take (defaults filled in)
  profile_home: i.profile_home ?? DEFAULT_PROFILE_HOME,
  profile_timeout: i.profile_timeout ?? DEFAULT_PROFILE_TIMEOUT,
  user: i.user,
  cores: i.cores,
  memory: i.memory,
  enabled: i.enabled,
  groups: i.groups,
  web_port: i.web_port,
  // whether credentials are stored; never the credentials (nor their ciphertext): this JSON also goes to the audit log
  has_registry_auth: i.registry_auth_encrypted !== null,
  security: i.security ?? {},
  // swarm: the zones its sessions may run in; empty = any
  zones: i.zones ?? [],
  created_at: i.created_at,
  updated_at: i.updated_at,
});

export const tokenJson = (t: TokenRecord) => ({
  token_id: t.token_id,
  user_id: t.user_id,
  kind: t.kind,
  name: t.name,
  created_at: t.created_at,
  expires_at: t.expires_at,
  revoked_at: t.revoked_at,
  last_used_at: t.last_used_at,
});
