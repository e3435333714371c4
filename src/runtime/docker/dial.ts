// The app proxy's last hop on a single engine: a TCP connection to the container's address on
// the network the session joined, reachable from this host (the engine's bridge). The address
// is looked up once per container (remembered.ts says why and for how long).
import type { Socket } from 'node:net';
import type Dockerode from 'dockerode';
import { LABEL_NETWORK } from './container-spec.js';
import { SESSION_NETWORK } from '../hardening.js';
import { NotFoundError } from '../errors.js';
import { connectTcp } from '../connect-tcp.js';
import type { Remembered } from '../remembered.js';
import { translateEngineError } from './translate-error.js';

/** The container's address on the engine, or why there is none (not found, not running). */
async function lookUpAddress(docker: Dockerode, id: string, where: string, signal?: AbortSignal): Promise<string> {
  let info: Dockerode.ContainerInspectInfo;
  try {
    info = await docker.getContainer(id).inspect({ abortSignal: signal });
  } catch (err) {
    throw translateEngineError(err, `inspect container ${id}`);
  }
  const host = info.State?.Running ? addressOf(info) : undefined;
  if (!host) throw new NotFoundError(`${where}: the container ${info.State?.Running ? 'has no address on the network its session joined' : 'is not running'}`);
  return host;
}

/** Connects to `port` of the container at its address (see addressOf); Runtime.dial says how it fails. */
export async function dialContainer(docker: Dockerode, addresses: Remembered<string>, id: string, port: number, signal?: AbortSignal): Promise<Socket> {
  const where = `docker: container ${id.slice(0, 12)} port ${port}`;
  const host = await addresses.get(id, () => lookUpAddress(docker, id, where, signal));
  try {
    return await connectTcp(host, port, where, signal);
  } catch (err) {
    // the container may have stopped (and its address gone to another): ask again next time
    addresses.forget(id);
    throw err;
  }
}

/**
 * The container's address on the network the session joined (label tether.network, else the
 * sessions' network): a container on several networks must be reached on the one whose
 * isolation the session relies on. Older containers without the label: their only address.
 */
export function addressOf(info: Dockerode.ContainerInspectInfo): string | undefined {
  const networks = info.NetworkSettings?.Networks ?? {};
  const name = info.Config?.Labels?.[LABEL_NETWORK] ?? SESSION_NETWORK;
  const own = networks[name]?.IPAddress;
  if (own) return own;
  if (info.Config?.Labels?.[LABEL_NETWORK] !== undefined) return undefined;
  return Object.values(networks).map((n) => n.IPAddress).find((a) => a);
}
