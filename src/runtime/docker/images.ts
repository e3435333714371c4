// Images: present on the engine, or pulled with the registry credentials, progress reported.
import type Dockerode from 'dockerode';
import type { PullProgress, RegistryAuth } from '../types.js';
import { AbortedError, RuntimeError } from '../errors.js';
import { engineMessage, isAbortError, throwIfAborted, translateEngineError, type EngineErrorShape } from './translate-error.js';

/** How the engine words a registry's refusal of the credentials (distribution, Docker Hub). */
const AUTH_REFUSED = /unauthorized|authentication required|no basic auth credentials|incorrect username or password|denied: requested access/i;

/**
 * The pull failure, classified once for both places the engine reports it (the pull request
 * itself, or an error inside the progress stream). `detail` is the engine's own words.
 */
function pullFailed(what: string, detail: string, auth: RegistryAuth | undefined, cause?: unknown): RuntimeError {
  const why = AUTH_REFUSED.test(detail)
    ? `registry authentication failed${auth ? ` for user "${auth.username}"` : ' (no credentials given)'}: ${detail}; check the image's registry credentials`
    : `the registry refused or failed: ${detail}; check the registry address and the image's registry credentials`;
  return new RuntimeError('pull_failed', `docker: ${what}: ${why}`, cause === undefined ? undefined : { cause });
}

export interface EnsureImageOptions {
  auth?: RegistryAuth;
  onProgress?: (p: PullProgress) => void;
  signal?: AbortSignal;
}

export async function imageIsPresent(docker: Dockerode, ref: string, signal?: AbortSignal): Promise<boolean> {
  try {
    await docker.getImage(ref).inspect({ abortSignal: signal } as object);
    return true;
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return false;
    throw translateEngineError(err, `inspect image ${ref}`, 'image');
  }
}

export async function ensureImage(docker: Dockerode, ref: string, opts: EnsureImageOptions): Promise<void> {
  throwIfAborted(opts.signal, `ensure image ${ref}`);
  if (await imageIsPresent(docker, ref, opts.signal)) return;
  await pullImage(docker, ref, opts);
}

export async function pullImage(docker: Dockerode, ref: string, opts: EnsureImageOptions): Promise<void> {
  const what = `pull image ${ref}`;
  throwIfAborted(opts.signal, what);
  const pullOpts: Record<string, unknown> = { abortSignal: opts.signal };
  if (opts.auth) pullOpts.authconfig = { ...opts.auth };
  let stream: NodeJS.ReadableStream;
  try {
    stream = await docker.pull(ref, pullOpts);
  } catch (err) {
    const e = translateEngineError(err, what, 'image');
    // the engine answers 500 for registry refusals (no or wrong credentials, unreachable registry)
    if (e.code === 'engine') throw pullFailed(what, engineMessage(err as EngineErrorShape), opts.auth, err);
    throw e;
  }
  await new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      // destroying the response stream makes the engine stop sending; it may finish the pull anyway
      (stream as unknown as { destroy?: (e?: Error) => void }).destroy?.();
      reject(new AbortedError(`docker: ${what}: aborted during the pull`, { cause: opts.signal?.reason }));
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    docker.modem.followProgress(
      stream,
      (err: Error | null, output: Array<{ error?: string; errorDetail?: { message?: string } }>) => {
        opts.signal?.removeEventListener('abort', onAbort);
        if (opts.signal?.aborted) return;
        if (err) return reject(isAbortError(err) ? new AbortedError(`docker: ${what}: aborted`, { cause: err }) : translateEngineError(err, what, 'image'));
        // the engine reports pull failures (auth, unknown tag) inside the stream, with HTTP 200
        const failed = output.find((o) => o.error);
        if (failed) {
          return reject(pullFailed(what, failed.errorDetail?.message ?? failed.error ?? '', opts.auth));
        }
        resolve();
      },
      (event: { status?: string; id?: string; progressDetail?: { current?: number; total?: number } }) => {
        if (!opts.onProgress || !event.status) return;
        const p: PullProgress = { status: event.status };
        if (event.id) p.id = event.id;
        if (event.progressDetail?.current !== undefined) p.current = event.progressDetail.current;
        if (event.progressDetail?.total !== undefined) p.total = event.progressDetail.total;
        opts.onProgress(p);
      },
    );
  });
}
