// Joins one WebSocket to one shell exec: bytes both ways, control frames (resize, eof),
// and an `exit` message with the shell's exit code before the socket closes.
import type { WebSocket } from 'ws';
import type { ShellExec } from './exec-shell.js';
import { STDERR, STDOUT, parseClientControl, type ServerControl } from './protocol.js';

type Frame = { data: Buffer; isBinary: boolean };

/**
 * Holds the frames that arrive while the shell is being started (the engine takes ~100 ms),
 * so nothing typed or piped in early is lost; call at once when the socket opens.
 */
export function bufferEarlyFrames(socket: WebSocket): () => Frame[] {
  const early: Frame[] = [];
  const keep = (data: unknown, isBinary: boolean) => early.push({ data: toBuffer(data), isBinary });
  socket.on('message', keep);
  return () => {
    socket.off('message', keep);
    return early;
  };
}

function toBuffer(data: unknown): Buffer {
  return Array.isArray(data) ? Buffer.concat(data as Buffer[]) : Buffer.from(data as ArrayBuffer);
}

export function bridge(socket: WebSocket, shell: ShellExec, early: Frame[], log: { warn(obj: object, msg: string): void }): void {
  let closed = false;
  const send = (m: ServerControl) => {
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(m));
  };
  const forward = (channel: number | null) => (chunk: Buffer) => {
    if (socket.readyState !== socket.OPEN) return;
    socket.send(channel === null ? chunk : Buffer.concat([Buffer.of(channel), chunk]), { binary: true });
  };
  shell.output.on('data', forward(shell.stderr ? STDOUT : null));
  shell.stderr?.on('data', forward(STDERR));
  shell.output.once('end', () => {
    void shell.exitCode().catch(() => null).then((code) => {
      send({ type: 'exit', code });
      if (!closed) socket.close(1000, 'shell exited');
    });
  });
  const onFrame = ({ data, isBinary }: Frame) => {
    if (isBinary) return shell.write(data);
    const control = parseClientControl(data.toString('utf8'));
    if (control?.type === 'resize') void shell.resize(control.cols, control.rows).catch((err: unknown) => log.warn({ err }, 'terminal resize failed'));
    else if (control?.type === 'eof') shell.endInput();
  };
  for (const f of early) onFrame(f);
  socket.on('message', (data, isBinary) => onFrame({ data: toBuffer(data), isBinary }));
  socket.on('close', () => {
    closed = true;
    shell.close();
  });
  socket.on('error', () => shell.close());
}
