// The live progress of a session: GET /sessions/ID/events (server-sent events). The server
// sends the history first, then live events, and ends the stream at the terminal state; we
// close on the end so the browser's EventSource does not reconnect and replay it.
import { API } from './api.js';
import type { SessionEvent } from './types.js';
import { SESSION_EVENT_TYPES } from '../../src/sessions/vocabulary.js';

export function followSession(id: string, until: 'launched' | 'end', onEvent: (e: SessionEvent) => void, onEnd: () => void): () => void {
  const source = new EventSource(`${API}/sessions/${encodeURIComponent(id)}/events${until === 'end' ? '?until=end' : ''}`);
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    source.close();
    onEnd();
  };
  for (const type of SESSION_EVENT_TYPES) {
    source.addEventListener(type, (m) => onEvent(JSON.parse((m as MessageEvent<string>).data) as SessionEvent));
  }
  source.addEventListener('error', close);
  return () => {
    closed = true;
    source.close();
  };
}
