// The audit log, newest first: administrators only.
import type { FastifyInstance } from 'fastify';
import type { AuditFilter } from '../../store/types.js';
import type { AppDeps } from '../types.js';
import { badRequest } from '../http-error.js';
import { findUser } from '../lookup.js';
import { auditSchema, errorResponses, listOf } from '../schemas.js';

interface AuditQuery { action?: string; target_type?: string; target_id?: string; actor?: string; since?: string; limit?: string }
const text = { type: 'string', minLength: 1, maxLength: 200 } as const;

export async function auditRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  app.get<{ Querystring: AuditQuery }>('/audit', {
    config: { access: 'admin' },
    schema: {
      summary: 'Audit entries, newest first', tags: ['audit'],
      querystring: {
        type: 'object', additionalProperties: false,
        properties: {
          action: text, target_type: text, target_id: text,
          actor: { ...text, description: 'user id or username of who made the change' },
          since: { type: 'string', maxLength: 64, description: 'ISO-8601 time; entries at or after it' },
          limit: { type: 'string', pattern: '^[0-9]{1,4}$', description: '1..1000, default 100' },
        },
      },
      response: { 200: listOf(auditSchema), ...errorResponses },
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
