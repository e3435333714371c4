// Where a session's web app answers: the container's address on the engine's network and
// the image's web_port. For the local engine that is the container's IP on its bridge
// network, reachable from this host. (A remote engine would need the node's published port;
// not done yet: the proxy answers 502 with a message then.)
import type Dockerode from 'dockerode';
import type { Store } from '../store/types.js';

export type TargetResult =
  | { ok: true; host: string; port: number; userId: string }
  | { ok: false; status: number; message: string };

export async function resolveTarget(store: Store, docker: Dockerode, sessionId: string): Promise<TargetResult> {
  const rec = await store.sessions.get(sessionId);
  if (!rec) return { ok: false, status: 404, message: `session "${sessionId}" not found` };
  if (rec.state !== 'running' || !rec.container_id) return { ok: false, status: 409, message: `session "${sessionId}" is ${rec.state}, not running` };
  const image = await store.images.get(rec.image_id);
  if (!image?.web_port) return { ok: false, status: 404, message: `the image of session "${sessionId}" declares no web_port` };
  const info = await docker.getContainer(rec.container_id).inspect().catch(() => undefined);
  const networks = Object.values(info?.NetworkSettings?.Networks ?? {});
  const ip = networks.map((n) => n.IPAddress).find((a) => a);
  if (!ip) return { ok: false, status: 502, message: `session "${sessionId}": its container has no network address on this engine` };
  return { ok: true, host: ip, port: image.web_port, userId: rec.user_id };
}
