// The terminal WebSocket protocol, shared by the server route, the web UI and the CLI.
// Binary frames carry bytes (client -> server: the shell's stdin; server -> client: its
// output). Without a TTY (?tty=0) each server binary frame starts with one byte naming the
// stream: 1 stdout, 2 stderr. Text frames carry one JSON control message each.

/** client -> server */
export type ClientControl =
  | { type: 'resize'; cols: number; rows: number }
  /** end of input: closes the shell's stdin (piped mode) */
  | { type: 'eof' };

/** server -> client; the server closes the socket right after `exit` */
export type ServerControl = { type: 'exit'; code: number | null } | { type: 'error'; message: string };

/** URL path of the terminal, under /api/v1 */
export const terminalPath = (sessionId: string): string => `/api/v1/sessions/${encodeURIComponent(sessionId)}/terminal`;

export const MAX_COLS = 1000;
export const MAX_ROWS = 1000;

/** Parses a client control frame; null for anything malformed (ignored, never evaluated). */
export function parseClientControl(text: string): ClientControl | null {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null) return null;
  const m = v as Record<string, unknown>;
  if (m.type === 'eof') return { type: 'eof' };
  if (m.type === 'resize' && isSize(m.cols, MAX_COLS) && isSize(m.rows, MAX_ROWS)) return { type: 'resize', cols: m.cols, rows: m.rows };
  return null;
}

function isSize(n: unknown, max: number): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= max;
}

/** first byte of a server binary frame without a TTY */
export const STDOUT = 1;
export const STDERR = 2;
