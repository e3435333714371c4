// Where a session's container answers: its address on the network the session joined,
// reachable from this host (the app proxy connects there).
import type Dockerode from 'dockerode';
import { LABEL_NETWORK } from './container-spec.js';
import { SESSION_NETWORK } from '../hardening.js';

/** The container's address (see addressOf); undefined when it is gone or has none. */
export async function containerAddress(docker: Dockerode, id: string, signal?: AbortSignal): Promise<string | undefined> {
  const info = await docker.getContainer(id).inspect({ abortSignal: signal }).catch(() => undefined);
  return info ? addressOf(info) : undefined;
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
