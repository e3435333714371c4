// Commands in a running container through the engine's exec API (the web terminal,
// `tether session shell`).
import type { Duplex, Readable } from 'node:stream';
import { PassThrough } from 'node:stream';
import type Dockerode from 'dockerode';
import type { ContainerExec, ExecOptions } from '../types.js';
import { translateEngineError } from './translate-error.js';

/** the engine may report an exec Running for a moment after its output ended: asked this often, this far apart */
const EXIT_POLLS = 20;
const EXIT_POLL_MS = 50;

export async function execInContainer(docker: Dockerode, id: string, o: ExecOptions): Promise<ContainerExec> {
  let exec: Dockerode.Exec;
  let stream: Duplex;
  try {
    exec = await docker.getContainer(id).exec({
      Cmd: o.cmd, AttachStdin: o.stdin, AttachStdout: true, AttachStderr: true, Tty: o.tty, Env: o.env ?? [],
    });
    stream = (await exec.start({ hijack: true, stdin: o.stdin, Tty: o.tty })) as Duplex;
  } catch (err) {
    throw translateEngineError(err, `exec in container ${id}`);
  }
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
    stream.once('error', end);
    output = out;
    stderr = err;
  }
  return {
    output,
    stderr,
    write: (data) => { stream.write(data); },
    endInput: () => { stream.end(); },
    async resize(cols, rows) {
      if (o.tty) await exec.resize({ w: cols, h: rows });
    },
    async exitCode() {
      for (let i = 0; i < EXIT_POLLS; i++) {
        const r = await exec.inspect();
        if (!r.Running) return r.ExitCode ?? null;
        await new Promise((res) => setTimeout(res, EXIT_POLL_MS));
      }
      return null;
    },
    close: () => { stream.destroy(); },
  };
}
