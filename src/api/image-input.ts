// Image fields from a request body: their schema (ImageInput), and beyond what it checks: the mapping
// document (parsed + policy), the persistent profile path, and group references.
import type { ImageRecord, Store } from '../store/types.js';
import { z } from 'zod';
import type { SecretBox } from '../secrets/index.js';
import type { HostPathPolicy } from '../mappings/types.js';
import { normalizePath, profileHomeProblem, profilePathProblems } from '../mappings/index.js';
import type { FieldValidation } from './http-error.js';
import { badRequest } from './http-error.js';
import { parseMappingInput } from './mapping-input.js';
import { findGroup } from './lookup.js';
import { imageSecurityInput, parseImageSecurity } from './image-security-input.js';
import { ZONE_NAME_PATTERN } from '../sessions/vocabulary.js';
import { mappingInput } from './schemas.js';
import { withJsonSchema } from './zod-schema.js';

const imageText = (max: number, pattern: string, description: string) => z.string().min(1).max(max).regex(new RegExp(pattern)).describe(description);

/** Image fields a request body may set (POST: name and docker_image required; PATCH: at least one). */
export const ImageInput = z.object({
  name: imageText(64, '^[A-Za-z0-9][A-Za-z0-9._-]*$', 'unique; letters, digits, ".", "_", "-"').optional(),
  // eslint-disable-next-line no-control-regex -- the patterns refuse control characters
  friendly_name: z.string().max(200).regex(new RegExp('^[^\\u0000-\\u001f\\u007f]*$')).optional(),
  // the pattern as JSON Schema text: a RegExp's source would escape its "/" (and change the 400's message)
  docker_image: withJsonSchema(z.string().min(1).max(512).describe('image reference, e.g. kasmweb/desktop:1.16.0 (not looked up when saved)'), { pattern: '^[A-Za-z0-9][A-Za-z0-9._/:@+-]*$' }).optional(),
  volume_mappings: mappingInput('mapping document as a JSON object or JSON string'),
  persistent_profile_path: z.string().max(1024).nullable()
    .describe('absolute path with {username} or {user_id} (and optionally {image_id}); null = no persistent profile').optional(),
  profile_home: z.string().min(1).max(1024).nullable().describe('container path the profile is mounted at (the user\'s home); null = /home/user').optional(),
  profile_timeout: z.number().gt(0).max(600).nullable().describe('seconds host preparation of the profile may take; null = 10').optional(),
  user: z.string().regex(/^[0-9]{1,10}:[0-9]{1,10}$/).nullable().describe('uid:gid the session runs as; null = the image default').optional(),
  cores: z.number().gt(0).max(1024).nullable().describe('CPUs, more than 0 and at most 1024').optional(),
  memory: z.number().int().min(6291456).max(17592186044416).nullable().describe('bytes, from 6 MiB (6291456) to 16 TiB').optional(),
  enabled: z.boolean().optional(),
  groups: withJsonSchema(z.array(z.string().min(1).max(200)).max(1000).describe('group ids or names allowed to launch it; empty = everyone'), { uniqueItems: true }).optional(),
  web_port: z.number().int().min(1).max(65535).nullable().optional(),
  /** confinement overrides (image-security-input.ts); null = the defaults */
  security: imageSecurityInput,
  zones: withJsonSchema(z.array(z.string().regex(new RegExp(ZONE_NAME_PATTERN))).max(100).describe(
    'swarm: the zones (node label tether.zone) its sessions may run in; each 1 to 63 letters, digits, ".", "_", "-", starting and ending with a letter or digit; [] = any',
  ), { uniqueItems: true }).optional(),
  /** stored sealed (src/secrets); null clears; never returned */
  registry_auth: z.object({
    // eslint-disable-next-line no-control-regex -- the patterns refuse control characters
    username: z.string().min(1).max(255).regex(new RegExp('^[^\\u0000-\\u001f\\u007f]*$')),
    // eslint-disable-next-line no-control-regex -- the patterns refuse control characters
    password: z.string().min(1).max(4096).regex(new RegExp('^[^\\u0000]*$')),
    // eslint-disable-next-line no-control-regex -- the patterns refuse control characters
    serveraddress: z.string().min(1).max(512).regex(new RegExp('^[^\\u0000-\\u001f\\u007f\\s]*$')).describe('registry host[:port]; default: the one in docker_image').optional(),
  }).nullable().describe('credentials for pulling docker_image, stored encrypted and never shown again; null = none (anonymous pull)').optional(),
});
export type ImageInput = z.infer<typeof ImageInput>;

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
