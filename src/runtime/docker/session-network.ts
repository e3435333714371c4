// The sessions' bridge network on the engine: created when missing, checked when present.
// Inter-container traffic is off on it (enable_icc=false: the engine drops bridge-to-bridge
// forwarding), so sessions cannot reach each other while this host (the app proxy) reaches
// every session at its address on this network.
import type Dockerode from 'dockerode';
import { RuntimeError } from '../errors.js';
import { SESSION_BRIDGE, SESSION_NETWORK } from '../hardening.js';
import { translateEngineError } from './translate-error.js';

const ICC_OPTION = 'com.docker.network.bridge.enable_icc';
const NAME_OPTION = 'com.docker.network.bridge.name';

function statusOf(err: unknown): number | undefined {
  return (err as { statusCode?: number } | null)?.statusCode;
}

/** Refuses a network of that name that someone else made without isolation: sessions on it could reach each other. */
function checkIsolated(net: Dockerode.NetworkInspectInfo): void {
  if (net.Driver !== 'bridge' || net.Options?.[ICC_OPTION] !== 'false') {
    throw new RuntimeError('engine', `docker: network "${SESSION_NETWORK}" exists but is not a bridge with inter-container traffic off `
      + `(driver ${net.Driver}, ${ICC_OPTION}=${net.Options?.[ICC_OPTION] ?? 'unset'}): sessions on it could reach each other; `
      + `remove it (docker network rm ${SESSION_NETWORK}) and Tether creates it again`);
  }
}

async function inspectNetwork(docker: Dockerode, signal?: AbortSignal): Promise<Dockerode.NetworkInspectInfo | undefined> {
  try {
    // the typings lack the options argument that dockerode accepts
    const network = docker.getNetwork(SESSION_NETWORK);
    const inspect = network.inspect.bind(network) as unknown as (o: object) => Promise<Dockerode.NetworkInspectInfo>;
    return await inspect({ abortSignal: signal });
  } catch (err) {
    if (statusOf(err) === 404) return undefined;
    throw translateEngineError(err, `inspect network ${SESSION_NETWORK}`);
  }
}

export async function ensureSessionNetwork(docker: Dockerode, signal?: AbortSignal): Promise<void> {
  const found = await inspectNetwork(docker, signal);
  if (found) return checkIsolated(found);
  try {
    await docker.createNetwork({
      Name: SESSION_NETWORK,
      Driver: 'bridge',
      CheckDuplicate: true,
      Labels: { tether: '1' },
      Options: { [ICC_OPTION]: 'false', [NAME_OPTION]: SESSION_BRIDGE },
      abortSignal: signal,
    } as Dockerode.NetworkCreateOptions);
  } catch (err) {
    // another Tether process created it first: check what it made
    if (statusOf(err) !== 409) throw translateEngineError(err, `create network ${SESSION_NETWORK}`);
    const again = await inspectNetwork(docker, signal);
    if (!again) throw translateEngineError(err, `create network ${SESSION_NETWORK}`);
    checkIsolated(again);
  }
}

/**
 * Ensures the network once per client; a failure is not remembered (the next create tries
 * again), nor is success when the network later disappears (forget() after "not found").
 */
export class SessionNetwork {
  private ready: Promise<void> | undefined;

  constructor(private readonly docker: Dockerode) {}

  ensure(signal?: AbortSignal): Promise<void> {
    this.ready ??= ensureSessionNetwork(this.docker, signal).catch((err: unknown) => {
      this.ready = undefined;
      throw err;
    });
    return this.ready;
  }

  forget(): void {
    this.ready = undefined;
  }
}
