// Images on a swarm: every node pulls the session's image itself when its task starts, so the
// image must be in a registry the nodes reach. ensureImage asks the manager to resolve it in
// that registry (with the image's credentials) instead of pulling it anywhere; an image only
// present on the manager's engine (a single-node swarm) is accepted too. The credentials are
// kept, per image, for the service create that follows: the nodes pull with them.
import type Dockerode from 'dockerode';
import type { PullProgress, RegistryAuth } from '../types.js';
import { RuntimeError, isRuntimeError } from '../errors.js';
import { imageIsPresent } from '../docker/images.js';
import { callEngine } from './engine-call.js';

/** how many images' credentials are remembered at most (the oldest is forgotten first) */
const MAX_REMEMBERED = 256;
const AUTH_REFUSED = /unauthorized|authentication required|no basic auth credentials|denied/i;

export class RegistryAuthMemo {
  readonly #byRef = new Map<string, RegistryAuth>();

  remember(ref: string, auth: RegistryAuth | undefined): void {
    this.#byRef.delete(ref);
    if (!auth) return;
    this.#byRef.set(ref, auth);
    if (this.#byRef.size > MAX_REMEMBERED) this.#byRef.delete(this.#byRef.keys().next().value as string);
  }

  get(ref: string): RegistryAuth | undefined {
    return this.#byRef.get(ref);
  }
}

export async function ensureImage(
  docker: Dockerode, memo: RegistryAuthMemo, ref: string,
  opts: { auth?: RegistryAuth; onProgress?: (p: PullProgress) => void; signal?: AbortSignal },
): Promise<void> {
  memo.remember(ref, opts.auth);
  const what = `resolve image ${ref} in its registry`;
  try {
    const found = await callEngine<{ Descriptor?: { digest?: string } }>(docker, {
      method: 'GET', path: `/distribution/${ref}/json`, auth: opts.auth, signal: opts.signal,
    }, what);
    opts.onProgress?.({ status: `Resolved in the registry${found.Descriptor?.digest ? `: ${found.Descriptor.digest}` : ''}; every node pulls it when its task starts` });
  } catch (err) {
    if (isRuntimeError(err, 'aborted')) throw err;
    if (await imageIsPresent(docker, ref, opts.signal)) {
      opts.onProgress?.({ status: 'Present on the manager only: nodes without it will refuse the task' });
      return;
    }
    const detail = err instanceof Error ? err.message : String(err);
    if (AUTH_REFUSED.test(detail)) {
      throw new RuntimeError('pull_failed', `swarm: ${what}: registry authentication failed${opts.auth ? ` for user "${opts.auth.username}"` : ' (no credentials given)'}: ${detail}`, { cause: err });
    }
    throw new RuntimeError('image_not_found', `swarm: ${what}: not in a registry the swarm reaches, nor on the manager (${detail})`, { cause: err });
  }
}
