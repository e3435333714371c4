// Routes declare their schemas with zod (the shapes of src/api/wire and their own bodies), typed
// by fastify-type-provider-zod's ZodTypeProvider: a route's schema and its TypeScript types are
// one thing. Fastify is handed JSON Schema made from them when the route is added (the core
// plugin's onRoute hook): Ajv validates requests as before (same options, same messages),
// fast-json-stringify serializes responses, and @fastify/swagger documents exactly these.
// A zod schema here must say everything in JSON Schema terms: no transforms or refinements
// (Ajv, not zod, runs the validation); what zod cannot say (uniqueItems, minProperties) is
// added with withJsonSchema().
import type { FastifySchema } from 'fastify';
import { ZodType, type ZodTypeDef } from 'zod';
import { zodToJsonSchema } from 'zod-to-json-schema';

export type JsonSchema = Record<string, unknown>;
export type ObjectJsonSchema = { type: 'object'; properties: Record<string, JsonSchema>; required?: string[]; additionalProperties?: boolean | JsonSchema };

const extraKeywords = new WeakMap<ZodTypeDef, JsonSchema>();

/** The zod schema, with JSON Schema keywords zod has no words for (e.g. { uniqueItems: true }) added to its JSON Schema. */
export function withJsonSchema<T extends ZodType>(schema: T, keywords: JsonSchema): T {
  extraKeywords.set(schema._def, keywords);
  return schema;
}

/**
 * `anyOf: [{ type: T, ... }, { type: 'null' }]` (zod-to-json-schema's form of a nullable
 * integer, or of a nullable value with limits) as `type: [T, 'null']`: what Ajv and
 * fast-json-stringify handle best (an anyOf costs the serializer a validation per value).
 */
function compactNullable(json: JsonSchema): JsonSchema {
  const { anyOf, ...rest } = json;
  if (!Array.isArray(anyOf) || anyOf.length !== 2) return json;
  const [value, none] = anyOf as JsonSchema[];
  if (none?.type !== 'null' || Object.keys(none).length !== 1 || typeof value?.type !== 'string') return json;
  // an enum says null too, or Ajv would refuse the null the type allows
  const values = Array.isArray(value.enum) ? { enum: [...(value.enum as unknown[]), null] } : {};
  return { ...value, ...rest, type: [value.type, 'null'], ...values };
}

/** JSON Schema (draft 7, no $refs) of a zod schema. */
export function jsonSchemaOf(schema: ZodType): JsonSchema {
  const { $schema: _drop, ...rest } = zodToJsonSchema(schema, {
    $refStrategy: 'none', target: 'jsonSchema7',
    postProcess: (json, def) => {
      if (!json) return json;
      const out = compactNullable(json as JsonSchema);
      return (extraKeywords.has(def) ? { ...out, ...extraKeywords.get(def) } : out) as typeof json;
    },
  }) as JsonSchema;
  return rest;
}

/** The same for an object schema, typed as such (for schemas that extend it). */
export const objectJsonSchemaOf = (schema: ZodType): ObjectJsonSchema => jsonSchemaOf(schema) as ObjectJsonSchema;

/** each zod schema is converted once (the error body alone is in every route's responses) */
const converted = new WeakMap<ZodType, JsonSchema>();
function convert(part: unknown): unknown {
  if (!(part instanceof ZodType)) return part;
  let json = converted.get(part);
  if (!json) converted.set(part, (json = jsonSchemaOf(part)));
  return json;
}

/** A route's schema with each zod part (body, querystring, params, headers, each response) made JSON Schema. */
export function routeJsonSchema(schema: FastifySchema): FastifySchema {
  const out: FastifySchema = { ...schema };
  for (const key of ['body', 'querystring', 'params', 'headers'] as const) if (out[key] !== undefined) out[key] = convert(out[key]);
  if (out.response && typeof out.response === 'object') {
    out.response = Object.fromEntries(Object.entries(out.response).map(([code, s]) => [code, convert(s)]));
  }
  return out;
}
