// Joins one WebSocket to one shell exec: bytes both ways, control frames (resize, eof),
// and an `exit` message with the shell's exit code before the socket closes. When the socket
// closes, for whatever reason, the shell and what it started are killed in the container.
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

/**
 * Joins them; the promise resolves once the socket closed and the shell's processes were
 * killed (the caller may wait for it at shutdown).
 */
export function bridge(socket: WebSocket, shell: ShellExec, early: Frame[], log: { warn(obj: object, msg: string): void }): Promise<void> {
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
  shell.output.resume();
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
  return new Promise<void>((resolve) => {
    const end = () => {
      if (closed) return;
      closed = true;
      endShell(shell, log).finally(resolve);
    };
    socket.on('close', end);
    socket.on('error', end);
    // closed while the shell was being started
    if (socket.readyState === socket.CLOSING || socket.readyState === socket.CLOSED) end();
  });
}

/** Kills the shell's processes (while the shell still holds them together), then drops the exec's connection. */
export async function endShell(shell: ShellExec, log: { warn(obj: object, msg: string): void }): Promise<void> {
  try {
    await shell.kill();
  } catch (err) {
    log.warn({ err }, 'terminal: could not kill the shell\'s processes (is the container gone?)');
  } finally {
    shell.close();
  }
}
