// Image fields from a request body, beyond what the JSON schema checks: the mapping
// document (parsed + policy), the persistent profile path, and group references.
import type { ImageRecord, Store } from '../store/types.js';
import type { RegistryAuth } from '../runtime/types.js';
import type { SecretBox } from '../secrets/index.js';
import type { HostPathPolicy } from '../mappings/types.js';
import { normalizePath, profileHomeProblem, profilePathProblems } from '../mappings/index.js';
import type { FieldValidation } from './http-error.js';
import { badRequest } from './http-error.js';
import { parseMappingInput } from './mapping-input.js';
import { findGroup } from './lookup.js';
import { imageSecuritySchema, parseImageSecurity } from './image-security-input.js';
import { ZONE_NAME_PATTERN } from '../sessions/vocabulary.js';

export interface ImageInput {
  name?: string;
  friendly_name?: string;
  docker_image?: string;
  volume_mappings?: unknown;
  persistent_profile_path?: string | null;
  profile_home?: string | null;
  profile_timeout?: number | null;
  user?: string | null;
  cores?: number | null;
  memory?: number | null;
  enabled?: boolean;
  groups?: string[];
  web_port?: number | null;
  /** stored sealed (src/secrets); null clears; never returned */
  registry_auth?: RegistryAuth | null;
  /** confinement overrides (image-security-input.ts); null = the defaults */
  security?: unknown;
  /** swarm: zones its sessions may run in; [] = any */
  zones?: string[];
}

const imageText = (max: number, pattern: string, description: string) => ({ type: 'string', minLength: 1, maxLength: max, pattern, description }) as const;

export const imageInputProperties = {
  name: imageText(64, '^[A-Za-z0-9][A-Za-z0-9._-]*$', 'unique; letters, digits, ".", "_", "-"'),
  friendly_name: { type: 'string', maxLength: 200, pattern: '^[^\\u0000-\\u001f\\u007f]*$' },
  docker_image: imageText(512, '^[A-Za-z0-9][A-Za-z0-9._/:@+-]*$', 'image reference, e.g. kasmweb/desktop:1.16.0 (not looked up when saved)'),
  volume_mappings: { type: ['object', 'string'], description: 'mapping document as a JSON object or JSON string' },
  persistent_profile_path: { type: ['string', 'null'], maxLength: 1024, description: 'absolute path with {username} or {user_id} (and optionally {image_id}); null = no persistent profile' },
  profile_home: { type: ['string', 'null'], minLength: 1, maxLength: 1024, description: 'container path the profile is mounted at (the user\'s home); null = /home/user' },
  profile_timeout: { type: ['number', 'null'], exclusiveMinimum: 0, maximum: 600, description: 'seconds host preparation of the profile may take; null = 10' },
  user: { type: ['string', 'null'], pattern: '^[0-9]{1,10}:[0-9]{1,10}$', description: 'uid:gid the session runs as; null = the image default' },
  cores: { type: ['number', 'null'], exclusiveMinimum: 0, maximum: 1024, description: 'CPUs, more than 0 and at most 1024' },
  memory: { type: ['integer', 'null'], minimum: 6291456, maximum: 17592186044416, description: 'bytes, from 6 MiB (6291456) to 16 TiB' },
  enabled: { type: 'boolean' },
  groups: { type: 'array', maxItems: 1000, uniqueItems: true, items: { type: 'string', minLength: 1, maxLength: 200 }, description: 'group ids or names allowed to launch it; empty = everyone' },
  web_port: { type: ['integer', 'null'], minimum: 1, maximum: 65535 },
  security: imageSecuritySchema,
  zones: {
    type: 'array', maxItems: 100, uniqueItems: true, items: { type: 'string', pattern: ZONE_NAME_PATTERN },
    description: 'swarm: the zones (node label tether.zone) its sessions may run in; each 1 to 63 letters, digits, ".", "_", "-", starting and ending with a letter or digit; [] = any',
  },
  registry_auth: {
    type: ['object', 'null'], additionalProperties: false, required: ['username', 'password'],
    description: 'credentials for pulling docker_image, stored encrypted and never shown again; null = none (anonymous pull)',
    properties: {
      username: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[^\\u0000-\\u001f\\u007f]*$' },
      password: { type: 'string', minLength: 1, maxLength: 4096, pattern: '^[^\\u0000]*$' },
      serveraddress: { type: 'string', minLength: 1, maxLength: 512, pattern: '^[^\\u0000-\\u001f\\u007f\\s]*$', description: 'registry host[:port]; default: the one in docker_image' },
    },
  },
} as const;


/** The record fields to store, or a 400 listing every problem (nothing is stored). */
export async function imageFieldsFromInput(store: Store, input: ImageInput, policy: HostPathPolicy, secrets?: Pick<SecretBox, 'sealRegistryAuth'>): Promise<Partial<ImageRecord>> {
  const validations: FieldValidation[] = [];
  const { volume_mappings, groups, registry_auth, security, ...plain } = input;
  const out: Partial<ImageRecord> = { ...plain };
  if (registry_auth === null) out.registry_auth_encrypted = null;
  else if (registry_auth !== undefined) {
    // sealRegistryAuth keeps only username, password and serveraddress
    if (!secrets) validations.push({ field: 'registry_auth', detail: 'this server has no secret key to encrypt registry credentials with (TETHER_SECRET_KEY or <data dir>/secret.key)' });
    else out.registry_auth_encrypted = secrets.sealRegistryAuth(registry_auth);
  }
  if (security !== undefined) {
    const parsed = parseImageSecurity('security', security);
    if (parsed.ok) out.security = parsed.security;
    else validations.push(...parsed.validations);
  }
  if (volume_mappings !== undefined) {
    const parsed = parseMappingInput('volume_mappings', volume_mappings, policy);
    if (parsed.ok) out.volume_mappings = parsed.document;
    else validations.push(...parsed.validations);
  }
  if (typeof input.persistent_profile_path === 'string') {
    // same tokens and host-path policy as a mapping, and a per-user part ({username} or {user_id})
    for (const problem of profilePathProblems(input.persistent_profile_path, policy)) validations.push({ field: 'persistent_profile_path', detail: problem });
  }
  if (typeof input.profile_home === 'string') {
    const problem = profileHomeProblem(input.profile_home);
    if (problem) validations.push({ field: 'profile_home', detail: problem });
    else out.profile_home = normalizePath(input.profile_home);
  }
  if (groups !== undefined) {
    const ids: string[] = [];
    for (const [i, ref] of groups.entries()) {
      const g = await findGroup(store, ref);
      if (g) ids.push(g.group_id);
      else validations.push({ field: `groups[${i}]`, detail: `no group "${ref}"` });
    }
    out.groups = [...new Set(ids)];
  }
  if (validations.length > 0) throw badRequest('invalid image; nothing was changed', { validations });
  return out;
}
