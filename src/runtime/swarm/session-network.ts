// The network sessions join on a swarm: a swarm-scoped bridge (each node gets its own local
// bridge when a task there attaches). A session is then reachable from its own node, where the
// node's agent dials it for the app proxy (a node started with --bridge=none has no default
// bridge at all). Swarm drops driver options given to a swarm-scoped network itself, so the
// network takes them from the config-only network each node's agent makes
// (node-session-network.ts: inter-container traffic off, a fixed bridge name its firewall
// names). A task lands only on a node whose agent answers, hence a prepared one.
//
// A network of that name made without ConfigFrom (an earlier Tether) is replaced when no
// service uses it; while one does, launches are refused with what to do.
import type Dockerode from 'dockerode';
import { RuntimeError } from '../errors.js';
import { callEngine } from './engine-call.js';
import { SWARM_SESSION_CONFIG } from './node-session-network.js';

export const SWARM_SESSION_NETWORK = 'tether-swarm-sessions';

interface NetworkInfo { Id: string; Driver: string; Scope: string; ConfigFrom?: { Network?: string } | null }

const fromConfig = (net: NetworkInfo): boolean => net.ConfigFrom?.Network === SWARM_SESSION_CONFIG;

/**
 * Creates the network on the manager when missing, or replaces an earlier one made without
 * ConfigFrom (once per runtime; again after a failure). `name` is the sessions' network but
 * for tests.
 */
export class SwarmSessionNetwork {
  private ready: Promise<void> | undefined;

  constructor(private readonly docker: Dockerode, private readonly name = SWARM_SESSION_NETWORK) {}

  ensure(signal?: AbortSignal): Promise<void> {
    this.ready ??= this.make(signal).catch((err: unknown) => {
      this.ready = undefined;
      throw err;
    });
    return this.ready;
  }

  private async make(signal?: AbortSignal): Promise<void> {
    const found = await this.inspect(signal);
    if (found) {
      this.checkBridge(found);
      if (fromConfig(found)) return;
      await this.replace(found, signal);
    }
    try {
      await callEngine(this.docker, {
        method: 'POST', path: '/networks/create', signal,
        body: {
          // no labels: the engine refuses any setting of its own on a network with ConfigFrom
          Name: this.name, Driver: 'bridge', Scope: 'swarm', CheckDuplicate: true, ConfigFrom: { Network: SWARM_SESSION_CONFIG },
        },
      }, `create network ${this.name}`);
    } catch (err) {
      // made meanwhile by another Tether: check it as found
      if (!(err instanceof RuntimeError && err.code === 'conflict')) throw err;
      const now = await this.inspect(signal);
      if (!now) throw err;
      this.checkBridge(now);
      if (!fromConfig(now)) throw new RuntimeError('engine', `swarm: network "${this.name}" was made meanwhile without ConfigFrom ${SWARM_SESSION_CONFIG}; launch again to replace it`);
    }
  }

  private async inspect(signal?: AbortSignal): Promise<NetworkInfo | undefined> {
    try {
      return await callEngine<NetworkInfo>(this.docker, { method: 'GET', path: `/networks/${this.name}`, signal }, `inspect network ${this.name}`);
    } catch (err) {
      if (err instanceof RuntimeError && err.code === 'not_found') return undefined;
      throw err;
    }
  }

  /** Another kind of network (an overlay spans nodes: sessions on other nodes could reach each other) is refused. */
  private checkBridge(net: NetworkInfo): void {
    if (net.Driver !== 'bridge' || net.Scope !== 'swarm') {
      throw new RuntimeError('engine', `swarm: network "${this.name}" exists but is not a swarm-scoped bridge `
        + `(driver ${net.Driver}, scope ${net.Scope}); remove it (docker network rm ${this.name}) and Tether creates it again`);
    }
  }

  /** An earlier Tether's network without the options: sessions on one node could reach each other on it. */
  private async replace(old: NetworkInfo, signal?: AbortSignal): Promise<void> {
    const users = await this.servicesOn(old, signal);
    if (users.length > 0) {
      throw new RuntimeError('engine', `swarm: network "${this.name}" was made without ConfigFrom ${SWARM_SESSION_CONFIG}, so sessions on one node `
        + `could reach each other on it; Tether replaces it once no service uses it, and ${users.length} still do (${users.slice(0, 5).join(', ')}`
        + `${users.length > 5 ? ', ...' : ''}): end those sessions (or docker service rm them), then launch again`);
    }
    try {
      await callEngine(this.docker, { method: 'DELETE', path: `/networks/${old.Id}`, signal }, `remove network ${this.name} (made without ConfigFrom)`);
    } catch (err) {
      // removed meanwhile by another Tether: fine; in use meanwhile: the engine's error says so
      if (!(err instanceof RuntimeError && err.code === 'not_found')) throw err;
    }
  }

  /** Names of the services attached to the network. */
  private async servicesOn(net: NetworkInfo, signal?: AbortSignal): Promise<string[]> {
    type Attached = { Networks?: Array<{ Target: string }> };
    const services = await callEngine<Array<{ Spec: { Name: string; TaskTemplate?: Attached } & Attached }>>(
      this.docker, { method: 'GET', path: '/services', signal }, 'list services');
    return services
      .filter((s) => [...(s.Spec.TaskTemplate?.Networks ?? []), ...(s.Spec.Networks ?? [])].some((n) => n.Target === net.Id || n.Target === this.name))
      .map((s) => s.Spec.Name);
  }
}
