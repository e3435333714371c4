// Dial through an agent: a signed GET with `Upgrade: tether-tunnel`; the agent connects to the
// container's port and answers 101 (signed), after which the connection is the raw TCP stream.
import http from 'node:http';
import type { Duplex } from 'node:stream';
import { AgentRefusedError } from './client.js';
import { AGENT_PORT, TUNNEL_PROTOCOL } from './protocol.js';
import { HEADER_NONCE, signRequest, verifyAnswer } from './signing.js';
import { refusalMessage, type Signer } from './signer.js';

type Attempt = { kind: 'open'; socket: Duplex } | { kind: 'retry' };

function attempt(signer: Signer, url: URL, path: string, key: Buffer, timeoutMs: number, signal?: AbortSignal): Promise<Attempt> {
  return new Promise((resolve, reject) => {
    const signed = signRequest(key, 'GET', path);
    const req = http.request({
      agent: false, host: url.hostname, port: url.port || AGENT_PORT, method: 'GET', path,
      headers: { ...signed, connection: 'Upgrade', upgrade: TUNNEL_PROTOCOL },
    });
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const timer = setTimeout(() => {
      finish(() => reject(signer.unavailable('timeout', `dial: no answer within ${timeoutMs} ms`)));
      req.destroy();
    }, timeoutMs);
    const onAbort = () => {
      finish(() => reject(signal?.reason instanceof Error ? signal.reason : new Error('dial: aborted')));
      req.destroy();
    };
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    req.on('upgrade', (res, socket, head) => {
      const verdict = verifyAnswer(key, signed[HEADER_NONCE], 101, res.headers);
      if (!verdict.ok) {
        socket.destroy();
        finish(() => reject(signer.unavailable('forged-answer', `dial: ${verdict.message}; the connection was not used`)));
        return;
      }
      if (head.length > 0) socket.unshift(head);
      finish(() => resolve({ kind: 'open', socket }));
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        const status = res.statusCode ?? 0;
        if (status === 401) return finish(() => resolve({ kind: 'retry' }));
        const verdict = verifyAnswer(key, signed[HEADER_NONCE], status, res.headers, body);
        finish(() => reject(verdict.ok ? new AgentRefusedError(signer.url, status, refusalMessage(body)) : signer.unavailable('forged-answer', `dial: ${verdict.message}; the answer was not trusted`)));
      });
    });
    req.on('error', (err) => finish(() => reject(signer.unavailable('unreachable', `dial: ${err.message}`))));
    req.end();
  });
}

export async function openTunnel(signer: Signer, url: URL, path: string, timeoutMs: number, signal?: AbortSignal): Promise<Duplex> {
  for (const key of signer.keys()) {
    const a = await attempt(signer, url, path, key, timeoutMs, signal);
    if (a.kind === 'open') return a.socket;
  }
  throw signer.unavailable('unauthorized', "dial: the agent refused the server's credential (401)");
}
