// Where a session's web app answers: the container's address (Runtime.address) and the
// image's web_port. For the local engine that is the container's IP on the network the
// session joined (normally the isolated sessions network), reachable from this host. (A
// remote engine would need the node's published port; not done yet: the proxy answers 502
// with a message then.)
// The session's state and owner are read from the store on every request (they change);
// the container's address is not (a running container keeps it), so it is remembered by
// container id and the engine is asked only on a miss. The proxy forgets an address when a
// connection to it fails, and every address is asked for again after ADDRESS_TTL_MS, so an
// address the engine has since handed to another container is not used for long.
import type { Store } from '../store/types.js';
import type { Runtime } from '../runtime/types.js';

export type TargetResult =
  | { ok: true; host: string; port: number; userId: string; containerId: string }
  | { ok: false; status: number; message: string };

const MAX_ADDRESSES = 256;
const ADDRESS_TTL_MS = 60_000;

/** Container IPs by container id: bounded (oldest entry dropped first), each valid ADDRESS_TTL_MS. */
export class ContainerAddresses {
  private readonly known = new Map<string, { ip: string; until: number }>();

  constructor(private readonly runtime: Pick<Runtime, 'address'>, private readonly now: () => number = Date.now) {}

  async get(containerId: string): Promise<string | undefined> {
    const hit = this.known.get(containerId);
    if (hit && hit.until > this.now()) return hit.ip;
    this.known.delete(containerId);
    const ip = await this.runtime.address(containerId);
    if (!ip) return undefined;
    if (this.known.size >= MAX_ADDRESSES) this.known.delete(this.known.keys().next().value as string);
    this.known.set(containerId, { ip, until: this.now() + ADDRESS_TTL_MS });
    return ip;
  }

  forget(containerId: string): void {
    this.known.delete(containerId);
  }
}

export async function resolveTarget(store: Store, addresses: ContainerAddresses, sessionId: string): Promise<TargetResult> {
  const rec = await store.sessions.get(sessionId);
  if (!rec) return { ok: false, status: 404, message: `session "${sessionId}" not found` };
  if (rec.state !== 'running' || !rec.container_id) return { ok: false, status: 409, message: `session "${sessionId}" is ${rec.state}, not running` };
  const image = await store.images.get(rec.image_id);
  if (!image?.web_port) return { ok: false, status: 404, message: `the image of session "${sessionId}" declares no web_port` };
  const ip = await addresses.get(rec.container_id);
  if (!ip) return { ok: false, status: 502, message: `session "${sessionId}": its container has no network address on this engine` };
  return { ok: true, host: ip, port: image.web_port, userId: rec.user_id, containerId: rec.container_id };
}
