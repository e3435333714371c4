// A shell in a running container through the engine's exec API: `bash` when the image has
// it, else `sh`, as the container's own user (the user the session runs as: an exec without
// a User runs as the container's Config.User, so nothing to look up). With a TTY for
// people; without one for piped input, where closing stdin (half-close) ends the shell.
// Through the Runtime (exec), so it works on whichever backend runs the session.
// The shell first prints its pid (a line the reader takes off the output), so that when the
// terminal closes, kill() can end it and everything it started (see kill-tree.ts).
import type { Readable } from 'node:stream';
import type { ContainerExec, Runtime } from '../runtime/types.js';
import { KILL_TREE, PID_LINE, readPidLine } from './kill-tree.js';

/** The shell's exec (output, input, resize, exit code: see ContainerExec), plus its pid and a kill of its process tree. */
export interface ShellExec extends ContainerExec {
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

export async function openShell(runtime: Pick<Runtime, 'exec'>, containerId: string, o: { tty: boolean; cols?: number; rows?: number }): Promise<ShellExec> {
  const args = o.tty ? ['-i'] : [];
  const exec = await runtime.exec(containerId, {
    cmd: ['sh', '-c', PICK_SHELL, 'tether-shell', ...args], tty: o.tty, stdin: true, env: o.tty ? ['TERM=xterm-256color'] : [],
  });
  const { pid, output } = await readPidLine(exec.output as Readable);
  if (o.tty && o.cols && o.rows) await exec.resize(o.cols, o.rows).catch(() => undefined);
  return {
    output,
    stderr: exec.stderr,
    write: (data) => exec.write(data),
    endInput: () => exec.endInput(),
    resize: (cols, rows) => exec.resize(cols, rows),
    exitCode: () => exec.exitCode(),
    close: () => exec.close(),
    pid,
    kill: () => (pid === null ? Promise.resolve() : killTree(runtime, containerId, pid)),
  };
}

async function killTree(runtime: Pick<Runtime, 'exec'>, containerId: string, pid: number): Promise<void> {
  const exec = await runtime.exec(containerId, { cmd: ['sh', '-c', KILL_TREE, 'tether-kill', String(pid)], tty: false, stdin: false });
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, KILL_TIMEOUT_MS);
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    exec.output.once('end', done);
    exec.output.once('error', done);
    exec.output.resume();
    exec.stderr?.resume();
  });
  exec.close();
}
