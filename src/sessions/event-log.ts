// Per-session progress events, buffered so a late subscriber gets the whole history first.
// In memory only: a session launched by an earlier process starts with a synthetic `state`
// event taken from the store (see manager.events).
import type { SessionEvent, SessionEventType } from './types.js';

interface SessionLog {
  history: SessionEvent[];
  listeners: Set<(e: SessionEvent) => void>;
  /** when set, the log is dropped at this time (ms epoch) unless someone listens */
  dropAt: number | null;
}

/** How long a finished session's history stays available to late subscribers. */
const RETAIN_MS = 10 * 60 * 1000;
/** Bound per session: a pull of a huge image must not grow memory without limit. */
const MAX_EVENTS = 2000;

export class EventLog {
  private readonly logs = new Map<string, SessionLog>();

  constructor(private readonly now: () => Date = () => new Date()) {}

  private log(sessionId: string): SessionLog {
    let l = this.logs.get(sessionId);
    if (!l) {
      l = { history: [], listeners: new Set(), dropAt: null };
      this.logs.set(sessionId, l);
    }
    return l;
  }

  emit(sessionId: string, type: SessionEventType, data: Record<string, unknown>): SessionEvent {
    const l = this.log(sessionId);
    const last = l.history[l.history.length - 1];
    const e: SessionEvent = { seq: (last?.seq ?? 0) + 1, type, at: this.now().toISOString(), session_id: sessionId, data };
    // Pull progress is chatty; when over the bound keep the first events and the latest ones.
    if (l.history.length >= MAX_EVENTS) {
      const idx = l.history.findIndex((x) => x.type === 'image.pull');
      if (idx >= 0) l.history.splice(idx, 1);
    }
    l.history.push(e);
    for (const fn of l.listeners) fn(e);
    return e;
  }

  history(sessionId: string): SessionEvent[] {
    return [...(this.logs.get(sessionId)?.history ?? [])];
  }

  has(sessionId: string): boolean {
    return (this.logs.get(sessionId)?.history.length ?? 0) > 0;
  }

  /** Calls fn for every event emitted from now on; returns the unsubscribe function. */
  subscribe(sessionId: string, fn: (e: SessionEvent) => void): () => void {
    const l = this.log(sessionId);
    l.listeners.add(fn);
    return () => {
      l.listeners.delete(fn);
    };
  }

  /** Marks a session finished: its history is dropped after the retention time. */
  retire(sessionId: string): void {
    const l = this.logs.get(sessionId);
    if (l) l.dropAt = this.now().getTime() + RETAIN_MS;
  }

  /** Drops retired histories nobody listens to any more (called by the periodic sweep). */
  prune(): void {
    const t = this.now().getTime();
    for (const [id, l] of this.logs) {
      if (l.dropAt !== null && l.dropAt <= t && l.listeners.size === 0) this.logs.delete(id);
    }
  }
}
