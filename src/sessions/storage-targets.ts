// The nodes a storage health check runs on. The single-engine runtime: one node, this host,
// through the server's own preparer. The swarm: every node; a ready one through its agent's
// preparer (an agent that does not answer is reported, not waited for), others left out.
import { hostname } from 'node:os';
import type { HostPreparer } from '../hostprep/index.js';
import type { AgentDirectory } from '../agent/client.js';
import type { NodeInfo } from '../runtime/swarm/index.js';
import type { StorageTarget } from './storage-health.js';

export function singleEngineTargets(preparer: HostPreparer, name = hostname()): (signal: AbortSignal) => Promise<StorageTarget[]> {
  return async () => [{ node: { id: null, hostname: name, zone: null }, preparer }];
}

export function swarmTargets(nodes: (signal: AbortSignal) => Promise<NodeInfo[]>, agents: AgentDirectory): (signal: AbortSignal) => Promise<StorageTarget[]> {
  return async (signal) => Promise.all((await nodes(signal)).map(async (n): Promise<StorageTarget> => {
    const node = { id: n.id, hostname: n.hostname, zone: n.zone };
    if (n.state !== 'ready') return { node, skipped: `node is ${n.state}: it runs no sessions now` };
    const agent = agents.forNode(n);
    if (!agent) return { node, unavailable: 'no agent known for this node (no node address)' };
    try {
      await agent.ping(signal);
      return { node, preparer: agent.preparer };
    } catch (err) {
      return { node, unavailable: `its agent does not answer: ${err instanceof Error ? err.message : String(err)}` };
    }
  }));
}
