// Joins one WebSocket to one shell exec: bytes both ways, control frames (resize, eof),
// and an `exit` message with the shell's exit code before the socket closes.
import type { WebSocket } from 'ws';
import type { ShellExec } from './exec-shell.js';
import { parseClientControl, type ServerControl } from './protocol.js';

export function bridge(socket: WebSocket, shell: ShellExec, log: { warn(obj: object, msg: string): void }): void {
  let closed = false;
  const send = (m: ServerControl) => {
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(m));
  };
  shell.output.on('data', (chunk: Buffer) => {
    if (socket.readyState === socket.OPEN) socket.send(chunk, { binary: true });
  });
  shell.output.once('end', () => {
    void shell.exitCode().catch(() => null).then((code) => {
      send({ type: 'exit', code });
      if (!closed) socket.close(1000, 'shell exited');
    });
  });
  socket.on('message', (data, isBinary) => {
    const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
    if (isBinary) return shell.write(buf);
    const control = parseClientControl(buf.toString('utf8'));
    if (control?.type === 'resize') void shell.resize(control.cols, control.rows).catch((err: unknown) => log.warn({ err }, 'terminal resize failed'));
    else if (control?.type === 'eof') shell.endInput();
  });
  socket.on('close', () => {
    closed = true;
    shell.close();
  });
  socket.on('error', () => shell.close());
}
