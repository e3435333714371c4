// The backend `tether server` runs sessions on (config.runtime), built one way for every
// feature that reaches containers: sessions, the terminal, the app proxy.
import type { Runtime } from './types.js';
import { createDockerRuntime, type DockerRuntime } from './docker/index.js';
import { createSwarmRuntime, type NodeAgents, type SwarmRuntime } from './swarm/index.js';

/** agents: swarm only, the node agents that exec (terminal) and dial (app proxy) on the session's node */
export function createRuntime(kind: Runtime['kind'], o: { dockerHost?: string; agents?: NodeAgents }): DockerRuntime | SwarmRuntime {
  const engine = o.dockerHost ? { dockerHost: o.dockerHost } : {};
  return kind === 'swarm' ? createSwarmRuntime({ ...engine, agents: o.agents }) : createDockerRuntime(engine);
}
