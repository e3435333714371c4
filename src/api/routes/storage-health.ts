// GET /storage/health: the shared-storage check of every mapped path's fixed prefix on every
// node (src/sessions/storage-health.ts). Administrators only: it names host paths and nodes.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../types.js';
import { badRequest } from '../http-error.js';
import { errorResponses } from '../schemas.js';
import { StorageHealthReport } from '../wire/index.js';
import { DEFAULT_STORAGE_TIMEOUT_MS, MAX_STORAGE_TIMEOUT_MS, type StorageHealthChecker } from '../../sessions/index.js';

export function storageHealthRoutes(checker: StorageHealthChecker) {
  return async function registerStorageHealthRoutes(server: FastifyInstance, _deps: AppDeps): Promise<void> {
    const app = server.withTypeProvider<ZodTypeProvider>();
    app.get('/storage/health', {
      config: { access: 'admin' },
      schema: {
        summary: 'Shared-storage health: for each mapped path\'s fixed prefix, which nodes reach it, how fast, and whether they see the same data', tags: ['storage'],
        querystring: z.object({
          timeout_ms: z.string().regex(/^[0-9]{1,6}$/).describe(`per probe on each node, 100..${MAX_STORAGE_TIMEOUT_MS} (default ${DEFAULT_STORAGE_TIMEOUT_MS})`).optional(),
        }),
        response: { 200: StorageHealthReport, ...errorResponses },
      },
    }, async (request) => {
      const raw = request.query.timeout_ms;
      const timeoutMs = raw === undefined ? DEFAULT_STORAGE_TIMEOUT_MS : Number(raw);
      if (timeoutMs < 100 || timeoutMs > MAX_STORAGE_TIMEOUT_MS) throw badRequest(`timeout_ms ${raw} is out of range (expected 100..${MAX_STORAGE_TIMEOUT_MS})`);
      return checker.check({ timeoutMs });
    });
  };
}
