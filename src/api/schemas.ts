// Schemas shared by the routes: request bodies reject unknown fields (additionalProperties:
// false), responses list exactly what leaves the server (a password hash, token digest or
// registry secret can never be serialized by accident). The shapes the API sends are defined
// once, in wire/ (zod); the JSON Schema forms here are made from them, for routes that still
// write JSON Schema.
import { MAX_SESSION_TIME_LIMIT, MAX_SESSIONS_PER_USER } from '../store/system-groups.js';
import { ErrorBody, Group, GroupSettings, Image, User } from './wire/index.js';
import { objectJsonSchemaOf, type ObjectJsonSchema } from './zod-schema.js';

/** Standard error responses, listed in the OpenAPI document. */
export const errorResponses = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody } as const;

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

/** A mapping document: a JSON object, or a JSON string (parsed with duplicate-key detection). */
export const mappingInputSchema = {
  type: ['object', 'string'],
  description: 'volume-mapping document (spec section 2) as a JSON object or a JSON string',
} as const;

export const userSchema = objectJsonSchemaOf(User);
export const groupSettingsSchema = objectJsonSchemaOf(GroupSettings);
export const groupSchema = objectJsonSchemaOf(Group);
export const imageSchema = objectJsonSchemaOf(Image);

export const listOf = (schema: object) => ({ type: 'array', items: schema });

/** A saved image or group, plus the warnings of the save (present only when there are some). */
export function savedSchema(schema: ObjectJsonSchema) {
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
