// JSON schemas shared by the routes: request bodies reject unknown fields
// (additionalProperties: false), responses list exactly what leaves the server (a password
// hash, token digest or registry secret can never be serialized by accident).
import { MAX_SESSION_TIME_LIMIT, MAX_SESSIONS_PER_USER } from '../store/system-groups.js';

export const errorSchema = {
  type: 'object',
  properties: {
    message: { type: 'string' },
    detail: { type: 'string' },
    validations: { type: 'array', items: { type: 'object', properties: { field: { type: 'string' }, detail: { type: 'string' } } } },
  },
  required: ['message'],
} as const;

/** Standard error responses, listed in the OpenAPI document. */
export const errorResponses = { 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema, 409: errorSchema } as const;

export const idParam = (name: string, description: string) => ({
  type: 'object',
  properties: { [name]: { type: 'string', minLength: 1, maxLength: 200, description } },
  required: [name],
  additionalProperties: false,
});

/** `:id` of the session routes (sessions, terminal, app-token): one schema, one length limit. */
export const sessionIdParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 100 } },
} as const;

const timestamps = { created_at: { type: 'string' }, updated_at: { type: 'string' } } as const;
const nullable = (type: string) => ({ type: [type, 'null'] });

/** A mapping document: a JSON object, or a JSON string (parsed with duplicate-key detection). */
export const mappingInputSchema = {
  type: ['object', 'string'],
  description: 'volume-mapping document (spec section 2) as a JSON object or a JSON string',
} as const;
const mappingOutputSchema = { type: 'object', additionalProperties: true } as const;

export const userSchema = {
  type: 'object',
  properties: { user_id: { type: 'string' }, username: { type: 'string' }, disabled: { type: 'boolean' }, ...timestamps },
} as const;

export const groupSettingsSchema = {
  type: 'object',
  properties: {
    volume_mappings: mappingOutputSchema,
    allow_persistent_profile: { type: 'boolean' },
    max_sessions_per_user: { type: 'integer' },
    session_time_limit: nullable('integer'),
  },
} as const;

export const groupSchema = {
  type: 'object',
  properties: {
    group_id: { type: 'string' },
    name: { type: 'string' },
    priority: { type: 'integer' },
    system: { type: 'boolean' },
    settings: groupSettingsSchema,
    ...timestamps,
  },
} as const;

export const imageSchema = {
  type: 'object',
  properties: {
    image_id: { type: 'string' },
    name: { type: 'string' },
    friendly_name: { type: 'string' },
    docker_image: { type: 'string' },
    volume_mappings: mappingOutputSchema,
    persistent_profile_path: nullable('string'),
    profile_home: { type: 'string', description: 'container path the persistent profile is mounted at (the session user\'s home)' },
    profile_timeout: { type: 'number', description: 'seconds host preparation of the profile may take' },
    user: nullable('string'),
    cores: nullable('number'),
    memory: nullable('integer'),
    enabled: { type: 'boolean' },
    groups: { type: 'array', items: { type: 'string' } },
    web_port: nullable('integer'),
    has_registry_auth: { type: 'boolean' },
    security: {
      type: 'object',
      description: 'overrides of the session confinement defaults; {} = the defaults',
      properties: {
        network: { type: 'string' },
        cap_add: { type: 'array', items: { type: 'string' } },
        cap_drop: { type: 'array', items: { type: 'string' } },
        no_new_privileges: { type: 'boolean' },
        pids_limit: nullable('integer'),
      },
    },
    zones: { type: 'array', items: { type: 'string' }, description: 'swarm: the zones (node label tether.zone) its sessions may run in; empty = any' },
    ...timestamps,
  },
} as const;

export const tokenSchema = {
  type: 'object',
  properties: {
    token_id: { type: 'string' },
    user_id: { type: 'string' },
    kind: { type: 'string' },
    name: { type: 'string' },
    created_at: { type: 'string' },
    expires_at: nullable('string'),
    revoked_at: nullable('string'),
    last_used_at: nullable('string'),
  },
} as const;

export const auditSchema = {
  type: 'object',
  properties: {
    audit_id: { type: 'string' },
    at: { type: 'string' },
    actor_id: nullable('string'),
    actor_name: { type: 'string' },
    action: { type: 'string' },
    target_type: { type: 'string' },
    target_id: nullable('string'),
    target_name: nullable('string'),
    before: {},
    after: {},
  },
} as const;

export const listOf = (schema: object) => ({ type: 'array', items: schema });

/** A saved image or group, plus the warnings of the save (present only when there are some). */
export function savedSchema(schema: { type: string; properties: Record<string, unknown> }) {
  return {
    ...schema,
    properties: {
      ...schema.properties,
      warnings: {
        type: 'array', items: { type: 'string' },
        description: 'host paths another image or group gives a different uid/gid: the owner would change from launch to launch',
      },
    },
  };
}

/** Body fields of the group settings: every setting typed, unknown settings rejected. */
export const groupSettingsInputSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    volume_mappings: mappingInputSchema,
    allow_persistent_profile: { type: 'boolean' },
    max_sessions_per_user: { type: 'integer', minimum: 1, maximum: MAX_SESSIONS_PER_USER, description: 'sessions at once per user, 1 to 1000' },
    session_time_limit: { type: ['integer', 'null'], minimum: 1, maximum: MAX_SESSION_TIME_LIMIT, description: 'seconds, 1 to 31536000 (one year); null = no limit' },
  },
} as const;

export const nameText = { type: 'string', minLength: 1, maxLength: 100, pattern: '^[^\\u0000-\\u001f\\u007f]+$' } as const;
