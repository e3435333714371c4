// The backend `tether server` runs sessions on (config.runtime), built one way for every
// feature that reaches containers: sessions, the terminal, the app proxy.
import type { Runtime } from './types.js';
import { createDockerRuntime, type DockerRuntime } from './docker/index.js';
import { createSwarmRuntime, type SwarmRuntime } from './swarm/index.js';

export function createRuntime(kind: Runtime['kind'], o: { dockerHost?: string }): DockerRuntime | SwarmRuntime {
  const engine = o.dockerHost ? { dockerHost: o.dockerHost } : {};
  return kind === 'swarm' ? createSwarmRuntime(engine) : createDockerRuntime(engine);
}
