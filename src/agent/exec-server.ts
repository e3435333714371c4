// The agent's half of exec: a WebSocket (already authenticated) bridged to a command running in
// the container through the local engine. Frames: see protocol.ts.
import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import type { ContainerExec } from '../runtime/types.js';
import { EXEC_STDERR, EXEC_STDOUT, execControl } from './protocol.js';

function ended(stream: NodeJS.ReadableStream | null): Promise<void> {
  if (!stream) return Promise.resolve();
  return new Promise((resolve) => {
    stream.once('end', () => resolve());
    stream.once('close', () => resolve());
    stream.once('error', () => resolve());
  });
}

export function bridgeExec(ws: WebSocket, exec: ContainerExec, logger: Logger): void {
  const forward = (stream: NodeJS.ReadableStream | null, channel: number) => {
    stream?.on('data', (chunk: Buffer) => {
      if (ws.readyState === ws.OPEN) ws.send(Buffer.concat([Buffer.from([channel]), chunk]), { binary: true });
    });
  };
  forward(exec.output, EXEC_STDOUT);
  forward(exec.stderr, EXEC_STDERR);
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    if (isBinary) return exec.write(data);
    let msg;
    try {
      msg = execControl.parse(JSON.parse(data.toString('utf8')));
    } catch {
      return;
    }
    if (msg.type === 'resize') exec.resize(msg.cols, msg.rows).catch((err: unknown) => logger.debug({ err }, 'agent: exec resize failed'));
    if (msg.type === 'end-input') exec.endInput();
  });
  ws.on('close', () => exec.close());
  ws.on('error', () => exec.close());
  void Promise.all([ended(exec.output), ended(exec.stderr)]).then(async () => {
    const code = await exec.exitCode().catch(() => null);
    if (ws.readyState === ws.OPEN) {
      ws.send(JSON.stringify({ type: 'exit', code }));
      ws.close(1000);
    }
  });
}
