// GET /storage/health: the shared-storage check of every mapped path's fixed prefix on every
// node (src/sessions/storage-health.ts). Administrators only: it names host paths and nodes.
import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../types.js';
import { badRequest } from '../http-error.js';
import { errorResponses } from '../schemas.js';
import { MARKER_STATES, STORAGE_VERDICTS } from '../../sessions/storage-report.js';
import { DEFAULT_STORAGE_TIMEOUT_MS, MAX_STORAGE_TIMEOUT_MS, type StorageHealthChecker } from '../../sessions/index.js';

const nullable = (type: string) => ({ type: [type, 'null'] });
const node = { id: nullable('string'), hostname: { type: 'string' }, zone: nullable('string') } as const;

export const storageHealthSchema = {
  type: 'object',
  required: ['checked_at', 'timeout_ms', 'ok', 'nodes', 'paths'],
  properties: {
    checked_at: { type: 'string' },
    timeout_ms: { type: 'integer' },
    ok: { type: 'boolean', description: 'every path is shared' },
    nodes: {
      type: 'array',
      items: { type: 'object', properties: { ...node, checked: { type: 'boolean' }, message: nullable('string') } },
    },
    paths: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          path: { type: 'string', description: 'the fixed prefix (the host path up to its first token)' },
          verdict: { type: 'string', enum: STORAGE_VERDICTS },
          message: { type: 'string' },
          used_by: {
            type: 'array',
            items: { type: 'object', properties: { kind: { type: 'string', enum: ['image', 'group', 'profile'] }, name: { type: 'string' }, host_path: { type: 'string' } } },
          },
          nodes: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                node: { type: 'object', properties: node },
                reachable: { type: 'boolean' },
                exists: nullable('boolean'),
                ms: nullable('integer'),
                marker: { type: ['string', 'null'], enum: [...MARKER_STATES, null] },
                class: nullable('string'),
                message: nullable('string'),
              },
            },
          },
        },
      },
    },
  },
} as const;

export function storageHealthRoutes(checker: StorageHealthChecker) {
  return async function registerStorageHealthRoutes(app: FastifyInstance, _deps: AppDeps): Promise<void> {
    app.get<{ Querystring: { timeout_ms?: string } }>('/storage/health', {
      config: { access: 'admin' },
      schema: {
        summary: 'Shared-storage health: for each mapped path\'s fixed prefix, which nodes reach it, how fast, and whether they see the same data', tags: ['storage'],
        querystring: {
          type: 'object', additionalProperties: false,
          properties: { timeout_ms: { type: 'string', pattern: '^[0-9]{1,6}$', description: `per probe on each node, 100..${MAX_STORAGE_TIMEOUT_MS} (default ${DEFAULT_STORAGE_TIMEOUT_MS})` } },
        },
        response: { 200: storageHealthSchema, ...errorResponses },
      },
    }, async (request) => {
      const raw = request.query.timeout_ms;
      const timeoutMs = raw === undefined ? DEFAULT_STORAGE_TIMEOUT_MS : Number(raw);
      if (timeoutMs < 100 || timeoutMs > MAX_STORAGE_TIMEOUT_MS) throw badRequest(`timeout_ms ${raw} is out of range (expected 100..${MAX_STORAGE_TIMEOUT_MS})`);
      return checker.check({ timeoutMs });
    });
  };
}
