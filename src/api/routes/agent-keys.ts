// POST /agents/rotate-key: a new join key for the node agents (administrators). The server's key
// file gets the new key with the old one kept as the previous (still accepted: agents not yet
// given the new key go on answering); on a swarm the agents' service gets it as a new secret.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type Dockerode from 'dockerode';
import type { AppDeps } from '../types.js';
import { errorResponses } from '../schemas.js';
import { AgentKeyRotation } from '../wire/index.js';
import { writeAudit } from '../audit-log.js';
import { ServerAgentKeys } from '../../agent/keys.js';
import { keyId } from '../../agent/signing.js';
import { rotateSwarmSecret } from '../../agent/rotate.js';

export interface AgentKeyRoutesOptions {
  /** the server's key file (config: TETHER_AGENT_KEY_FILE or <dataDir>/agent.key) */
  keyFile: string;
  dataDir: string;
  /** the swarm manager's engine, when sessions run on a swarm */
  swarm?: Dockerode;
}

export function agentKeyRoutes(opts: AgentKeyRoutesOptions) {
  return async (server: FastifyInstance, deps: AppDeps): Promise<void> => {
    const app = server.withTypeProvider<ZodTypeProvider>();
    const keys = ServerAgentKeys.forDataDir(opts.dataDir, opts.keyFile);
    app.post('/agents/rotate-key', {
      config: { access: 'admin' },
      schema: { summary: 'Rotate the node agents\' join key (the current key stays accepted as the previous one)', tags: ['agents'], response: { 200: AgentKeyRotation, ...errorResponses } },
    }, async (request) => {
      const ring = await keys.rotate();
      const swarm = opts.swarm ? await rotateSwarmSecret(opts.swarm, ring) : null;
      const body = { key_file: keys.path, key_id: keyId(ring.current), previous_key_id: ring.previous ? keyId(ring.previous) : null, swarm };
      await writeAudit(deps.store, request.principal ?? null, new Date(), { action: 'agent.rotate-key', target_type: 'agent_key', target_id: body.key_id, target_name: null, after: { key_id: body.key_id, previous_key_id: body.previous_key_id, swarm } });
      return body;
    });
  };
}
