// What each swarm node holds for the sessions' network, made by the node's agent on its own
// engine before it answers: a config-only network whose options every node-local instance of
// the swarm-scoped network `tether-swarm-sessions` takes (Swarm drops driver options given to
// a swarm-scoped network itself, but takes them from a config-only network named in
// ConfigFrom): inter-container traffic off, and a subnet that the node's firewall rules name.
// The subnet is node-local (no traffic crosses nodes on it), so every node may use the same
// one; an administrator whose LAN uses it creates the config-only network first with another
// subnet and the same option, and the agent takes it as it is. No fixed bridge name: a node
// whose engine stopped uncleanly may keep a stale record of the swarm network (moby issues
// 37087, 38318), which a new network (a new id, so a new br-<id>) gets round; a fixed name
// would clash with the stale one forever.
import type Dockerode from 'dockerode';
import { RuntimeError } from '../errors.js';
import { callEngine } from './engine-call.js';

export const SWARM_SESSION_CONFIG = 'tether-swarm-sessions-config';
export const SWARM_SESSION_SUBNET = '10.213.0.0/16';

const ICC_OPTION = 'com.docker.network.bridge.enable_icc';
const NAME_OPTION = 'com.docker.network.bridge.name';
export const SWARM_SESSION_OPTIONS: Readonly<Record<string, string>> = { [ICC_OPTION]: 'false' };

interface ConfigNetworkInfo { ConfigOnly?: boolean; Options?: Record<string, string> | null; IPAM?: { Config?: Array<{ Subnet?: string }> | null } }

const subnetOf = (net: ConfigNetworkInfo): string | undefined => net.IPAM?.Config?.find((c) => c.Subnet)?.Subnet;

function check(net: ConfigNetworkInfo): string {
  const wrong = Object.entries(SWARM_SESSION_OPTIONS).filter(([k, v]) => net.Options?.[k] !== v);
  if (net.Options?.[NAME_OPTION] !== undefined) wrong.push([NAME_OPTION, 'unset']);
  if (net.ConfigOnly !== true || wrong.length > 0 || subnetOf(net) === undefined) {
    throw new RuntimeError('engine', `network "${SWARM_SESSION_CONFIG}" on this node is not the config-only network sessions need `
      + `(config-only ${net.ConfigOnly === true}, subnet ${subnetOf(net) ?? 'none'}, ${Object.entries(SWARM_SESSION_OPTIONS).map(([k, v]) => `${k}=${v}`).join(', ')} and no ${NAME_OPTION} wanted, `
      + `${wrong.map(([k]) => `${k}=${net.Options?.[k] ?? 'unset'}`).join(', ') || 'options as wanted'}): remove it `
      + `(docker network rm ${SWARM_SESSION_CONFIG}, once no session runs on this node) and the agent creates it again`);
  }
  return subnetOf(net) as string;
}

async function inspect(docker: Dockerode, signal?: AbortSignal): Promise<ConfigNetworkInfo | undefined> {
  try {
    return await callEngine<ConfigNetworkInfo>(docker, { method: 'GET', path: `/networks/${SWARM_SESSION_CONFIG}`, signal }, `inspect network ${SWARM_SESSION_CONFIG}`);
  } catch (err) {
    if (err instanceof RuntimeError && err.code === 'not_found') return undefined;
    throw err;
  }
}

/** On a node's own engine: creates the config-only network when missing, checks it when present; its subnet. Idempotent. */
export async function ensureNodeSessionConfig(docker: Dockerode, signal?: AbortSignal): Promise<string> {
  const found = await inspect(docker, signal);
  if (found) return check(found);
  try {
    await callEngine(docker, {
      method: 'POST', path: '/networks/create', signal,
      body: {
        Name: SWARM_SESSION_CONFIG, ConfigOnly: true, CheckDuplicate: true, Labels: { tether: '1' },
        IPAM: { Driver: 'default', Config: [{ Subnet: SWARM_SESSION_SUBNET }] }, Options: SWARM_SESSION_OPTIONS,
      },
    }, `create network ${SWARM_SESSION_CONFIG}`);
    return SWARM_SESSION_SUBNET;
  } catch (err) {
    // made meanwhile (a second agent process on the node): check it as found
    if (!(err instanceof RuntimeError && err.code === 'conflict')) throw err;
    const now = await inspect(docker, signal);
    if (!now) throw err;
    return check(now);
  }
}
