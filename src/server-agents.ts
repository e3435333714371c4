// The node agents of a swarm, as `tether server` reaches them: one signed client per node
// address (src/agent/http-client.ts), with the server's join key (<dataDir>/agent.key, made at
// the first swarm start). Placement, verify, exec and dial on a node all go through them.
import { createAgentDirectory } from './agent/http-client.js';
import { ServerAgentKeys } from './agent/keys.js';
import { serverAgentKeyFile } from './config.js';
import type { AgentDirectory } from './agent/client.js';

export async function swarmAgents(dataDir: string): Promise<AgentDirectory & { close(): void }> {
  const keys = ServerAgentKeys.forDataDir(dataDir, serverAgentKeyFile({ dataDir }));
  await keys.load();
  return createAgentDirectory({ keys: () => keys.current });
}
