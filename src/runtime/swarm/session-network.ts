// The network sessions join on a swarm: a swarm-scoped bridge (each node gets its own local
// bridge when a task there attaches). A session is then reachable from its own node, where the
// node's agent dials it for the app proxy (a node started with --bridge=none has no default
// bridge at all). Swarm drops driver options given to a swarm-scoped network itself, so
// inter-container traffic stays on unless the administrator made the network from a
// config-only network on every node (docs/workspaces.md says how): Tether creates it plain when
// missing and takes any swarm-scoped bridge of that name as it is.
import type Dockerode from 'dockerode';
import { RuntimeError } from '../errors.js';
import { callEngine } from './engine-call.js';

export const SWARM_SESSION_NETWORK = 'tether-swarm-sessions';

interface NetworkInfo { Driver: string; Scope: string }

/** Another kind of network (an overlay spans nodes: sessions on other nodes could reach each other) is refused. */
function checkBridge(net: NetworkInfo): void {
  if (net.Driver !== 'bridge' || net.Scope !== 'swarm') {
    throw new RuntimeError('engine', `swarm: network "${SWARM_SESSION_NETWORK}" exists but is not a swarm-scoped bridge `
      + `(driver ${net.Driver}, scope ${net.Scope}); remove it (docker network rm ${SWARM_SESSION_NETWORK}) and Tether creates it again`);
  }
}

async function inspect(docker: Dockerode, signal?: AbortSignal): Promise<NetworkInfo | undefined> {
  try {
    return await callEngine<NetworkInfo>(docker, { method: 'GET', path: `/networks/${SWARM_SESSION_NETWORK}`, signal }, `inspect network ${SWARM_SESSION_NETWORK}`);
  } catch (err) {
    if (err instanceof RuntimeError && err.code === 'not_found') return undefined;
    throw err;
  }
}

/** Creates the network on the manager when missing (once per runtime; again after a failure). */
export class SwarmSessionNetwork {
  private ready: Promise<void> | undefined;

  constructor(private readonly docker: Dockerode) {}

  ensure(signal?: AbortSignal): Promise<void> {
    this.ready ??= this.make(signal).catch((err: unknown) => {
      this.ready = undefined;
      throw err;
    });
    return this.ready;
  }

  private async make(signal?: AbortSignal): Promise<void> {
    const found = await inspect(this.docker, signal);
    if (found) return checkBridge(found);
    try {
      await callEngine(this.docker, {
        method: 'POST', path: '/networks/create', signal,
        body: { Name: SWARM_SESSION_NETWORK, Driver: 'bridge', Scope: 'swarm', CheckDuplicate: true, Labels: { tether: '1' } },
      }, `create network ${SWARM_SESSION_NETWORK}`);
    } catch (err) {
      // made meanwhile by another Tether: check it as found
      if (!(err instanceof RuntimeError && err.code === 'conflict')) throw err;
      const now = await inspect(this.docker, signal);
      if (!now) throw err;
      checkBridge(now);
    }
  }
}
