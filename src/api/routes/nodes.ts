// The nodes sessions run on (administrators): Swarm's own view of each (availability, state,
// the tether.zone label), whether its agent answers, and the sessions Tether placed there.
// The single-engine runtime shows one node: this server's engine.
import type { FastifyInstance } from 'fastify';
import type { SessionManager } from '../../sessions/index.js';
import { errorResponses, listOf } from '../schemas.js';

const nodeSchema = {
  type: 'object',
  properties: {
    id: { type: 'string', description: 'the Swarm node id ("local" on the single engine)' },
    hostname: { type: 'string' },
    zone: { type: ['string', 'null'], description: 'the node label tether.zone' },
    availability: { type: 'string', description: 'active, pause or drain: only active nodes take new sessions' },
    state: { type: 'string', description: 'ready, down, disconnected or unknown' },
    agent: {
      type: 'object',
      properties: {
        state: { type: 'string', enum: ['answers', 'not_answering', 'none'] },
        version: { type: 'string' },
        reason: { type: 'string' },
      },
    },
    sessions: {
      type: 'object',
      properties: { active: { type: 'integer' }, running: { type: 'integer' }, lost: { type: 'integer' } },
    },
  },
} as const;

export function nodesRoutes(manager: Pick<SessionManager, 'nodes'>) {
  return async function registerNodeRoutes(app: FastifyInstance): Promise<void> {
    app.get('/nodes', {
      config: { access: 'admin' },
      schema: { summary: 'List the nodes sessions run on: zone, availability, state, agent, session counts', tags: ['nodes'], response: { 200: listOf(nodeSchema), ...errorResponses } },
    }, async () => manager.nodes(AbortSignal.timeout(15_000)));
  };
}
