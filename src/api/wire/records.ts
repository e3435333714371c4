// Users, groups, images, tokens and audit entries as the API shows them: never a password
// hash, token digest or registry secret (what is not listed here cannot leave the server:
// responses are serialized from these schemas).
import { z } from 'zod';

const timestamps = { created_at: z.string(), updated_at: z.string() };
/** a volume-mapping document as stored (normalized; Kasm's field names) */
const MappingDocument = z.record(z.unknown());

export const User = z.object({ user_id: z.string(), username: z.string(), disabled: z.boolean(), ...timestamps });
export type User = z.infer<typeof User>;

export const GroupSettings = z.object({
  volume_mappings: MappingDocument,
  allow_persistent_profile: z.boolean(),
  max_sessions_per_user: z.number().int(),
  session_time_limit: z.number().int().nullable(),
});
export type GroupSettings = z.infer<typeof GroupSettings>;

export const Group = z.object({
  group_id: z.string(), name: z.string(), priority: z.number().int(), system: z.boolean(), settings: GroupSettings, ...timestamps,
});
export type Group = z.infer<typeof Group>;

export const ImageSecurity = z.object({
  network: z.string().optional(),
  cap_add: z.array(z.string()).optional(),
  cap_drop: z.array(z.string()).optional(),
  no_new_privileges: z.boolean().optional(),
  pids_limit: z.number().int().nullable().optional(),
}).describe('overrides of the session confinement defaults; {} = the defaults');
export type ImageSecurity = z.infer<typeof ImageSecurity>;

export const Image = z.object({
  image_id: z.string(),
  name: z.string(),
  friendly_name: z.string(),
  docker_image: z.string(),
  volume_mappings: MappingDocument,
  persistent_profile_path: z.string().nullable(),
  profile_home: z.string().describe("container path the persistent profile is mounted at (the session user's home)"),
  profile_timeout: z.number().describe('seconds host preparation of the profile may take'),
  user: z.string().nullable(),
  cores: z.number().nullable(),
  memory: z.number().int().nullable(),
  enabled: z.boolean(),
  groups: z.array(z.string()),
  web_port: z.number().int().nullable().describe('where its web app listens (6901: a noVNC desktop); null = none'),
  has_registry_auth: z.boolean(),
  security: ImageSecurity,
  zones: z.array(z.string()).describe('swarm: the zones (node label tether.zone) its sessions may run in; empty = any'),
  ...timestamps,
});
export type Image = z.infer<typeof Image>;

export const Token = z.object({
  token_id: z.string(),
  user_id: z.string(),
  kind: z.string(),
  name: z.string(),
  created_at: z.string(),
  expires_at: z.string().nullable(),
  revoked_at: z.string().nullable(),
  last_used_at: z.string().nullable(),
});
export type Token = z.infer<typeof Token>;

export const AuditEntry = z.object({
  audit_id: z.string(),
  at: z.string(),
  actor_id: z.string().nullable(),
  actor_name: z.string(),
  action: z.string(),
  target_type: z.string(),
  target_id: z.string().nullable(),
  target_name: z.string().nullable(),
  before: z.unknown(),
  after: z.unknown(),
});
export type AuditEntry = z.infer<typeof AuditEntry>;
