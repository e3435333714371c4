// Request parts shared by the routes (zod, made JSON Schema per route: zod-schema.ts). Request
// bodies reject unknown fields (a zod object is additionalProperties: false); responses list
// exactly what leaves the server (a password hash, token digest or registry secret can never
// be serialized by accident): their shapes are defined once, in wire/.
import { z } from 'zod';
import { MAX_SESSION_TIME_LIMIT, MAX_SESSIONS_PER_USER } from '../store/system-groups.js';
import { ErrorBody } from './wire/index.js';
import { withJsonSchema } from './zod-schema.js';

/** Standard error responses, listed in the OpenAPI document. */
export const errorResponses = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody } as const;

/** `{ id }` path parameters: an id or a name, 1 to 200 characters. */
export const idParams = (description: string) => z.object({ id: z.string().min(1).max(200).describe(description) });

/** `:id` of the session routes (sessions, terminal, app-token): one schema, one length limit. */
export const sessionIdParams = z.object({ id: z.string().min(1).max(100) });

/**
 * A JSON value of one of these JSON types, left to the route to check further (`unknown` to
 * TypeScript: a mapping document is parsed, with duplicate-key detection, after validation).
 */
export const jsonOfType = (type: string[], description: string) => withJsonSchema(z.unknown(), { type, description });

/** A mapping document: a JSON object, or a JSON string (parsed with duplicate-key detection). */
export const mappingInput = (description: string) => jsonOfType(['object', 'string'], description);

/** Body fields of the group settings: every setting typed, unknown settings rejected. */
export const GroupSettingsInput = z.object({
  volume_mappings: mappingInput('volume-mapping document (spec section 2) as a JSON object or a JSON string'),
  allow_persistent_profile: z.boolean().optional(),
  max_sessions_per_user: z.number().int().min(1).max(MAX_SESSIONS_PER_USER).describe('sessions at once per user, 1 to 1000').optional(),
  session_time_limit: z.number().int().min(1).max(MAX_SESSION_TIME_LIMIT).nullable().describe('seconds, 1 to 31536000 (one year); null = no limit').optional(),
});
export type GroupSettingsInput = z.infer<typeof GroupSettingsInput>;

/** A display name: 1 to 100 characters, no control characters. */
// eslint-disable-next-line no-control-regex -- the pattern refuses control characters
export const nameText = z.string().min(1).max(100).regex(new RegExp('^[^\\u0000-\\u001f\\u007f]+$'));

/** A saved image or group, plus the warnings of the save (present only when there are some). */
export const saved = <T extends z.ZodRawShape>(schema: z.ZodObject<T>) => schema.extend({
  warnings: z.array(z.string())
    .describe('host paths another image or group gives a different uid/gid: the owner would change from launch to launch')
    .optional(),
});

/** An object body of which at least one field must be given (PATCH); a copy: the schema given is left as it is. */
export const atLeastOne = <T extends z.ZodRawShape>(schema: z.ZodObject<T>) => withJsonSchema(schema.extend({}), { minProperties: 1 });
