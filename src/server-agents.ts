// The node agents of a swarm, as `tether server` reaches them: one signed client per node
// address (src/agent/http-client.ts), with the server's join key (<dataDir>/agent.key, made at
// the first swarm start). Placement, verify, exec and dial on a node all go through them.
import { createAgentDirectory } from './agent/http-client.js';
import { ServerAgentKeys } from './agent/keys.js';
import { serverAgentKeyFile } from './config.js';
import type { Logger } from 'pino';
import type { AgentDirectory } from './agent/client.js';
import { carriesNoNewPrivileges, NO_NEW_PRIVILEGES_API } from './runtime/swarm/service-spec.js';
import type { SwarmRuntime } from './runtime/swarm/index.js';

/** logger: where a forged or unsigned agent answer is reported */
export async function swarmAgents(dataDir: string, logger: Logger): Promise<AgentDirectory & { close(): void }> {
  const keys = ServerAgentKeys.forDataDir(dataDir, serverAgentKeyFile({ dataDir }));
  await keys.load();
  return createAgentDirectory({ keys: () => keys.current, logger });
}

/** Once at start: a manager older than Docker 27 cannot put no-new-privileges in a service spec. */
export async function warnWithoutNoNewPrivileges(runtime: SwarmRuntime, logger: Logger): Promise<void> {
  const v = await runtime.engineVersion().catch(() => undefined);
  if (v && !carriesNoNewPrivileges(v.apiVersion)) {
    logger.warn({ engine: v.version, api: v.apiVersion }, `swarm: the manager's API ${v.apiVersion} is older than ${NO_NEW_PRIVILEGES_API} (Docker 27): `
      + 'sessions run WITHOUT no-new-privileges (a setuid program in an image can gain privileges inside its session); upgrade the engines to Docker 27 or later');
  }
}
