// Runs one command (argument array) in a container through the engine API and collects its
// output; honours an AbortSignal by dropping the stream (the process itself may live on).
import type Dockerode from 'dockerode';
import { PassThrough } from 'node:stream';

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function execInContainer(docker: Dockerode, containerId: string, cmd: string[], signal: AbortSignal): Promise<ExecResult> {
  signal.throwIfAborted();
  const exec = await docker.getContainer(containerId).exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true, abortSignal: signal } as Dockerode.ExecCreateOptions);
  const stream = await exec.start({ hijack: true, stdin: false, abortSignal: signal } as Dockerode.ExecStartOptions);
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const stdout = new PassThrough().on('data', (c: Buffer) => out.push(c));
  const stderr = new PassThrough().on('data', (c: Buffer) => err.push(c));
  docker.modem.demuxStream(stream, stdout, stderr);
  await new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      stream.destroy();
      reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    stream.on('end', () => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    });
    stream.on('error', (e) => {
      signal.removeEventListener('abort', onAbort);
      reject(e);
    });
  });
  const info = await exec.inspect({ abortSignal: signal } as object);
  return { code: info.ExitCode ?? -1, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8').trim() };
}
