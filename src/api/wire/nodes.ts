// The nodes sessions run on (GET /nodes), and the answer of POST /agents/rotate-key.
import { z } from 'zod';

export const NodeAgent = z.discriminatedUnion('state', [
  z.object({ state: z.literal('answers'), version: z.string() }),
  z.object({ state: z.literal('not_answering'), reason: z.string() }),
  z.object({ state: z.literal('none'), reason: z.string() }),
]).describe('whether the node\'s agent answers (its version), or why not; none on the single engine');
export type NodeAgent = z.infer<typeof NodeAgent>;

export const Node = z.object({
  id: z.string().describe('the Swarm node id ("local" on the single engine)'),
  hostname: z.string(),
  zone: z.string().nullable().describe('the node label tether.zone'),
  availability: z.string().describe('active, pause or drain: only active nodes take new sessions'),
  state: z.string().describe('ready, down, disconnected or unknown'),
  agent: NodeAgent,
  sessions: z.object({ active: z.number().int(), running: z.number().int(), lost: z.number().int() })
    .describe('sessions on this node by state (active: requested .. running, stopping, lost)'),
});
export type Node = z.infer<typeof Node>;

export const AgentKeyRotation = z.object({
  key_file: z.string(),
  key_id: z.string().describe('fingerprint of the new key (never the key)'),
  previous_key_id: z.string().nullable().describe('fingerprint of the key still accepted'),
  swarm: z.object({ secret: z.string(), service: z.string().nullable(), removed_secrets: z.array(z.string()) }).nullable()
    .describe('on a swarm: the new Swarm secret, the agents\' service given it, and the earlier secrets removed'),
});
export type AgentKeyRotation = z.infer<typeof AgentKeyRotation>;
