// Exec through an agent: a signed WebSocket handshake (the agent's 101 is signed back), then
// binary frames of output (first byte: the stream) and stdin, and small JSON control frames.
import { PassThrough } from 'node:stream';
import WebSocket from 'ws';
import type { ContainerExec, ExecOptions } from '../runtime/types.js';
import { AgentRefusedError } from './client.js';
import { EXEC_STDERR, execControl, type ExecControl } from './protocol.js';
import { HEADER_NONCE, signRequest, verifyAnswer } from './signing.js';
import { refusalMessage, type Signer } from './signer.js';

type Attempt = { kind: 'open'; ws: WebSocket } | { kind: 'retry' };

function handshake(signer: Signer, url: URL, path: string, key: Buffer, timeoutMs: number): Promise<Attempt> {
  return new Promise((resolve, reject) => {
    const signed = signRequest(key, 'GET', path);
    const ws = new WebSocket(`ws://${url.host}${path}`, { headers: signed, handshakeTimeout: timeoutMs, perMessageDeflate: false });
    ws.binaryType = 'nodebuffer';
    let settled = false;
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      ws.terminate();
      reject(err);
    };
    ws.once('upgrade', (res) => {
      const verdict = verifyAnswer(key, signed[HEADER_NONCE], 101, res.headers);
      if (!verdict.ok) fail(signer.unavailable('forged-answer', `exec handshake: ${verdict.message}; the connection was not used`));
    });
    ws.once('unexpected-response', (_req, res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        if (settled) return;
        const body = Buffer.concat(chunks);
        const status = res.statusCode ?? 0;
        if (status === 401) {
          settled = true;
          ws.terminate();
          resolve({ kind: 'retry' });
          return;
        }
        const verdict = verifyAnswer(key, signed[HEADER_NONCE], status, res.headers, body);
        if (!verdict.ok) fail(signer.unavailable('forged-answer', `exec: ${verdict.message}; the answer was not trusted`));
        else fail(new AgentRefusedError(signer.url, status, refusalMessage(body)));
      });
    });
    ws.once('open', () => {
      if (settled) return;
      settled = true;
      resolve({ kind: 'open', ws });
    });
    ws.once('error', (err) => fail(signer.unavailable(/timed out/i.test(err.message) ? 'timeout' : 'unreachable', `exec: ${err.message}`)));
  });
}

export async function openExec(signer: Signer, url: URL, path: string, o: ExecOptions, timeoutMs: number): Promise<ContainerExec> {
  const keys = signer.keys();
  for (const key of keys) {
    const attempt = await handshake(signer, url, path, key, timeoutMs);
    if (attempt.kind === 'open') return wrap(attempt.ws, o);
  }
  throw signer.unavailable('unauthorized', "exec: the agent refused the server's credential (401)");
}

function wrap(ws: WebSocket, o: ExecOptions): ContainerExec {
  const output = new PassThrough();
  const stderr = o.tty ? null : new PassThrough();
  let code: number | null = null;
  const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    if (isBinary) {
      if (data.length < 1) return;
      (data[0] === EXEC_STDERR && stderr ? stderr : output).write(data.subarray(1));
      return;
    }
    let msg: ExecControl;
    try {
      msg = execControl.parse(JSON.parse(data.toString('utf8')));
    } catch {
      return;
    }
    if (msg.type === 'exit') code = msg.code;
  });
  // the socket's own errors end the streams like a close does
  ws.on('error', () => undefined);
  void closed.then(() => {
    output.end();
    stderr?.end();
  });
  const send = (data: Buffer | string, binary: boolean) => {
    if (ws.readyState === WebSocket.OPEN) ws.send(data, { binary });
  };
  return {
    output,
    stderr,
    write: (data) => send(data, true),
    endInput: () => send(JSON.stringify({ type: 'end-input' }), false),
    resize: async (cols, rows) => send(JSON.stringify({ type: 'resize', cols, rows }), false),
    exitCode: async () => {
      await closed;
      return code;
    },
    close: () => ws.close(),
  };
}
