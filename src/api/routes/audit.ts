// The audit log, newest first: administrators only.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AuditFilter } from '../../store/types.js';
import type { AppDeps } from '../types.js';
import { badRequest } from '../http-error.js';
import { findUser } from '../lookup.js';
import { errorResponses } from '../schemas.js';
import { AuditEntry } from '../wire/index.js';

const text = z.string().min(1).max(200);

export async function auditRoutes(server: FastifyInstance, deps: AppDeps): Promise<void> {
  const app = server.withTypeProvider<ZodTypeProvider>();
  app.get('/audit', {
    config: { access: 'admin' },
    schema: {
      summary: 'Audit entries, newest first', tags: ['audit'],
      querystring: z.object({
        action: text.optional(), target_type: text.optional(), target_id: text.optional(),
        actor: text.describe('user id or username of who made the change').optional(),
        since: z.string().max(64).describe('ISO-8601 time; entries at or after it').optional(),
        limit: z.string().regex(/^[0-9]{1,4}$/).describe('1..1000, default 100').optional(),
      }),
      response: { 200: z.array(AuditEntry), ...errorResponses },
    },
  }, async (request) => {
    const q = request.query;
    const filter: AuditFilter = { limit: 100 };
    if (q.limit !== undefined) {
      const n = Number(q.limit);
      if (n < 1 || n > 1000) throw badRequest('invalid query', { validations: [{ field: 'limit', detail: 'expected an integer 1..1000' }] });
      filter.limit = n;
    }
    if (q.since !== undefined) {
      const t = Date.parse(q.since);
      if (Number.isNaN(t)) throw badRequest('invalid query', { validations: [{ field: 'since', detail: 'expected an ISO-8601 time, e.g. 2026-01-31T12:00:00Z' }] });
      filter.since = new Date(t).toISOString();
    }
    if (q.action !== undefined) filter.action = q.action;
    if (q.target_type !== undefined) filter.target_type = q.target_type;
    if (q.target_id !== undefined) filter.target_id = q.target_id;
    if (q.actor !== undefined) {
      const user = await findUser(deps.store, q.actor);
      // a deleted actor is still findable by id; an unknown name matches nothing
      filter.actor_id = user?.user_id ?? q.actor;
    }
    return deps.store.audit.list(filter);
  });
}
