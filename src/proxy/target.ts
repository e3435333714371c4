// Which session's web app a request goes to: the session's container and the image's web_port,
// read from the store on every request (the state and the owner change). The Runtime reaches
// the container (Runtime.dial): on a single engine at its address on the sessions' network, on
// a swarm through the agent of the node it runs on.
import type { Store } from '../store/types.js';

export type TargetResult =
  | { ok: true; port: number; userId: string; containerId: string }
  | { ok: false; status: number; message: string };

export async function resolveTarget(store: Store, sessionId: string): Promise<TargetResult> {
  const rec = await store.sessions.get(sessionId);
  if (!rec) return { ok: false, status: 404, message: `session "${sessionId}" not found` };
  if (rec.state !== 'running' || !rec.container_id) return { ok: false, status: 409, message: `session "${sessionId}" is ${rec.state}, not running` };
  const image = await store.images.get(rec.image_id);
  if (!image?.web_port) return { ok: false, status: 404, message: `the image of session "${sessionId}" declares no web_port` };
  return { ok: true, port: image.web_port, userId: rec.user_id, containerId: rec.container_id };
}
