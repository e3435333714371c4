// The swarm's nodes as placement sees them: id, hostname, zone (node label tether.zone),
// Swarm's own availability and state.
import type Dockerode from 'dockerode';
import { callEngine } from './engine-call.js';
import type { SwarmNode } from './swarm-types.js';

export const LABEL_ZONE = 'tether.zone';

export interface NodeInfo {
  id: string;
  hostname: string;
  /** the tether.zone label; null when the node has none */
  zone: string | null;
  /** active, pause or drain: only active nodes take new tasks */
  availability: SwarmNode['Spec']['Availability'];
  /** ready, down, disconnected or unknown */
  state: SwarmNode['Status']['State'];
  role: SwarmNode['Spec']['Role'];
  addr: string | null;
}

export function nodeInfo(n: SwarmNode): NodeInfo {
  return {
    id: n.ID,
    hostname: n.Description.Hostname,
    zone: n.Spec.Labels?.[LABEL_ZONE] ?? null,
    availability: n.Spec.Availability,
    state: n.Status.State,
    role: n.Spec.Role,
    addr: n.Status.Addr ?? null,
  };
}

export async function listNodes(docker: Dockerode, signal?: AbortSignal): Promise<NodeInfo[]> {
  const nodes = await callEngine<SwarmNode[]>(docker, { method: 'GET', path: '/nodes', signal }, 'list the swarm nodes');
  return nodes.map(nodeInfo).sort((a, b) => a.hostname.localeCompare(b.hostname) || a.id.localeCompare(b.id));
}
