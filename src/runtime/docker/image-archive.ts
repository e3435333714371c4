// A copy of one folder of an image, as a tar file: the seed of a new persistent profile. A
// container is created from the image (never started: nothing of the image runs), the engine's
// archive API reads the folder out of it, and the container is removed. The container carries
// no tether labels (reconcile does not look at it) but a name that says what it is.
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type Dockerode from 'dockerode';
import { throwIfAborted, translateEngineError } from './translate-error.js';

/** Stops a seed bigger than this (a home folder, not a disk image). */
export const MAX_SEED_BYTES = 512 * 1024 * 1024;

function statusOf(err: unknown): number | undefined {
  return (err as { statusCode?: number } | null)?.statusCode;
}

/** Writes the tar of `path` inside image `ref` to `dest`; false when the image has no such path. */
export async function copyFromImage(docker: Dockerode, ref: string, path: string, dest: string, signal?: AbortSignal): Promise<boolean> {
  const what = `copy ${path} out of image ${ref}`;
  throwIfAborted(signal, what);
  let container: Dockerode.Container;
  try {
    // a command is given so that images without one can be created too; it never runs
    container = await docker.createContainer({
      name: `tether-seed-${randomBytes(6).toString('hex')}`, Image: ref, Cmd: ['/tether-seed-never-runs'], Entrypoint: [], NetworkDisabled: true,
      Labels: { 'tether.seed': '1' }, HostConfig: { AutoRemove: false }, abortSignal: signal,
    } as Dockerode.ContainerCreateOptions);
  } catch (err) {
    throw translateEngineError(err, what, 'image');
  }
  try {
    let stream: NodeJS.ReadableStream;
    try {
      stream = await container.getArchive({ path, abortSignal: signal } as { path: string });
    } catch (err) {
      if (statusOf(err) === 404) return false;
      throw translateEngineError(err, what);
    }
    let bytes = 0;
    stream.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > MAX_SEED_BYTES) (stream as unknown as { destroy(e: Error): void }).destroy(new Error(`${what}: larger than ${MAX_SEED_BYTES} bytes; not used as a seed`));
    });
    await pipeline(stream, createWriteStream(dest, { mode: 0o600, flags: 'wx' }), { signal });
    return true;
  } finally {
    await container.remove({ force: true, v: true }).catch(() => undefined);
  }
}
