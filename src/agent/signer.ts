// What the client's three transports (HTTP calls, the exec WebSocket, the dial tunnel) share.
import { AgentUnavailableError } from './client.js';
import { errorAnswer } from './protocol.js';

export interface Signer {
  url: string;
  /** the keys to try in order: current, then previous */
  keys(): Buffer[];
  unavailable(reason: AgentUnavailableError['reason'], message: string): AgentUnavailableError;
}

/** The refusal carried by an authentic non-2xx answer. */
export function refusalMessage(body: Buffer): string {
  try {
    const parsed = errorAnswer.safeParse(JSON.parse(body.toString('utf8')));
    if (parsed.success) return parsed.data.message;
  } catch {
    // not JSON: shown as text below
  }
  return body.toString('utf8').slice(0, 500) || 'no reason given';
}
