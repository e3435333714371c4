// The live progress of a session: GET /sessions/ID/events (server-sent events). The server
// sends the history first, then live events, and ends the stream at the terminal state; we
// close on the end so the browser's EventSource does not reconnect and replay it.
import { API } from './api.js';
import type { SessionEvent } from './types.js';

export const EVENT_TYPES = ['state', 'image.pull', 'mapping.prepared', 'mapping.checked', 'mapping.skipped', 'mapping.failed', 'warning', 'container.created', 'container.started', 'container.removed'] as const;

export function followSession(id: string, until: 'launched' | 'end', onEvent: (e: SessionEvent) => void, onEnd: () => void): () => void {
  const source = new EventSource(`${API}/sessions/${encodeURIComponent(id)}/events${until === 'end' ? '?until=end' : ''}`);
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    source.close();
    onEnd();
  };
  for (const type of EVENT_TYPES) {
    source.addEventListener(type, (m) => onEvent(JSON.parse((m as MessageEvent<string>).data) as SessionEvent));
  }
  source.addEventListener('error', close);
  return () => {
    closed = true;
    source.close();
  };
}

const str = (v: unknown) => (v === undefined || v === null ? '' : String(v));

/** One line of the progress log, as the CLI prints it. */
export function describeEvent(e: SessionEvent): string {
  const d = e.data;
  const mapping = str(d.mapping) || `${str(d.host_path)} -> ${str(d.bind)}`;
  switch (e.type) {
    case 'state': return `state: ${str(d.state)}${d.error ? ` (${str((d.error as { message?: string }).message ?? d.error)})` : ''}`;
    case 'image.pull': return `pulling image: ${str(d.status)}${d.total ? ` ${str(d.current)}/${str(d.total)}` : ''}`;
    case 'mapping.prepared': return `mapping ${mapping}: prepared${d.created ? ' (folder created)' : ''}`;
    case 'mapping.checked': return `mapping ${mapping}: checked${d.ms !== undefined ? ` (${str(d.ms)} ms)` : ''}`;
    case 'mapping.skipped': return `mapping ${mapping}: skipped (${str(d.reason)})`;
    case 'mapping.failed': return `mapping ${mapping}: FAILED [${str(d.class)}] ${str(d.message)}${d.required ? '' : ' (optional: left out)'}`;
    case 'warning': return `warning: ${str(d.mapping)}: ${str(d.message)}`;
    case 'container.created': return `container created ${str(d.container_id).slice(0, 12)}`;
    case 'container.started': return 'container started';
    case 'container.removed': return `container removed ${str(d.container_id).slice(0, 12)}`;
    default: return e.type;
  }
}
