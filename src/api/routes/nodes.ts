// The nodes sessions run on (administrators): Swarm's own view of each (availability, state,
// the tether.zone label), whether its agent answers, and the sessions Tether placed there.
// The single-engine runtime shows one node: this server's engine.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { NodeJson, SessionManager } from '../../sessions/index.js';
import { errorResponses } from '../schemas.js';
import { Node } from '../wire/index.js';

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** the manager's NodeJson and the wire's Node are one: `true` or this file does not compile */
export const NodeMatches: Same<Node, NodeJson> = true;

export function nodesRoutes(manager: Pick<SessionManager, 'nodes'>) {
  return async function registerNodeRoutes(server: FastifyInstance): Promise<void> {
    const app = server.withTypeProvider<ZodTypeProvider>();
    app.get('/nodes', {
      config: { access: 'admin' },
      schema: { summary: 'List the nodes sessions run on: zone, availability, state, agent, session counts', tags: ['nodes'], response: { 200: z.array(Node), ...errorResponses } },
    }, async () => manager.nodes(AbortSignal.timeout(15_000)));
  };
}
