// A shell in a running container through the engine's exec API: `bash` when the image has
// it, else `sh`, as the container's own user (the user the session runs as: an exec without
// a User runs as the container's Config.User, so nothing to look up). With a TTY for
// people; without one for piped input, where closing stdin (half-close) ends the shell.
// The shell first prints its pid (a line the reader takes off the output), so that when the
// terminal closes, kill() can end it and everything it started (see kill-tree.ts).
import type { Duplex, Readable } from 'node:stream';
import { PassThrough } from 'node:stream';
import type Dockerode from 'dockerode';
import { KILL_TREE, PID_LINE, readPidLine } from './kill-tree.js';

export interface ShellExec {
  /** the shell's output (with a TTY: everything; without: stdout) */
  output: NodeJS.ReadableStream;
  /** without a TTY: the shell's stderr, apart */
  stderr: NodeJS.ReadableStream | null;
  write(data: Buffer): void;
  /** closes the shell's stdin */
  endInput(): void;
  resize(cols: number, rows: number): Promise<void>;
  /** the shell's exit code once its output ended (null when the engine does not know) */
  exitCode(): Promise<number | null>;
  /** ends the exec's connection (the shell gets a hangup) */
  close(): void;
  /** the shell's pid inside the container (null when it did not say) */
  pid: number | null;
  /** kills the shell, its descendants and its session's processes in the container (a second exec) */
  kill(): Promise<void>;
}

// `command -v` is POSIX; exec replaces the probing shell so signals and the exit code are the shell's.
// The pid printed first is the shell's own: exec keeps it.
const PICK_SHELL = `${PID_LINE}; if command -v bash >/dev/null 2>&1; then exec bash "$@"; else exec sh "$@"; fi`;
/** a kill exec that has not finished by then is abandoned (the engine is stuck or gone) */
const KILL_TIMEOUT_MS = 10_000;

export async function openShell(docker: Dockerode, containerId: string, o: { tty: boolean; cols?: number; rows?: number }): Promise<ShellExec> {
  const container = docker.getContainer(containerId);
  const args = o.tty ? ['-i'] : [];
  const exec = await container.exec({
    Cmd: ['sh', '-c', PICK_SHELL, 'tether-shell', ...args],
    AttachStdin: true, AttachStdout: true, AttachStderr: true, Tty: o.tty,
    Env: o.tty ? ['TERM=xterm-256color'] : [],
  });
  const stream = (await exec.start({ hijack: true, stdin: true, Tty: o.tty })) as Duplex;
  let output: Readable = stream;
  let stderr: PassThrough | null = null;
  if (!o.tty) {
    // without a TTY the engine multiplexes stdout/stderr with 8-byte frame headers
    const out = new PassThrough();
    const err = new PassThrough();
    docker.modem.demuxStream(stream, out, err);
    const end = () => {
      err.end();
      out.end();
    };
    stream.once('end', end);
    stream.once('close', end);
    output = out;
    stderr = err;
  }
  const { pid, output: rest } = await readPidLine(output);
  output = rest;
  const resize = async (cols: number, rows: number) => {
    if (o.tty) await exec.resize({ w: cols, h: rows });
  };
  if (o.tty && o.cols && o.rows) await resize(o.cols, o.rows).catch(() => undefined);
  return {
    output,
    stderr,
    write: (data) => { stream.write(data); },
    endInput: () => { stream.end(); },
    resize,
    async exitCode() {
      // the engine may report Running for a moment after the output ended
      for (let i = 0; i < 20; i++) {
        const r = await exec.inspect();
        if (!r.Running) return r.ExitCode ?? null;
        await new Promise((res) => setTimeout(res, 50));
      }
      return null;
    },
    close: () => { stream.destroy(); },
    pid,
    kill: () => (pid === null ? Promise.resolve() : killTree(container, pid)),
  };
}

async function killTree(container: Dockerode.Container, pid: number): Promise<void> {
  const exec = await container.exec({ Cmd: ['sh', '-c', KILL_TREE, 'tether-kill', String(pid)], AttachStdout: true, AttachStderr: true });
  const stream = (await exec.start({ hijack: true, stdin: false })) as Duplex;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, KILL_TIMEOUT_MS);
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    stream.once('end', done);
    stream.once('close', done);
    stream.once('error', done);
    stream.resume();
  });
  stream.destroy();
}
