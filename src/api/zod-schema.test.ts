import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { jsonSchemaOf, withJsonSchema } from './zod-schema.js';

describe('zod schemas as JSON Schema', () => {
  it('a nullable value with limits is type [T, "null"], not an anyOf', () => {
    assert.deepEqual(jsonSchemaOf(z.number().int().min(1).max(9).nullable().describe('n')), { type: ['integer', 'null'], minimum: 1, maximum: 9, description: 'n' });
  });

  it('a nullable enum lists null among its values (else the type would allow what the enum refuses)', () => {
    assert.deepEqual(jsonSchemaOf(z.enum(['a', 'b']).nullable()), { type: ['string', 'null'], enum: ['a', 'b', null] });
  });

  it('keywords zod has no words for are added to that schema only', () => {
    const list = withJsonSchema(z.array(z.string()), { uniqueItems: true });
    assert.deepEqual(jsonSchemaOf(z.object({ a: list, b: z.array(z.string()) })), {
      type: 'object', additionalProperties: false, required: ['a', 'b'],
      properties: { a: { type: 'array', items: { type: 'string' }, uniqueItems: true }, b: { type: 'array', items: { type: 'string' } } },
    });
  });
});
