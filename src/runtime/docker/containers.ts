// Session containers on one engine: create, start, stop, remove, inspect, list by label.
import type Dockerode from 'dockerode';
import type { ContainerInfo, ContainerSpec } from '../types.js';
import { createOptionsFor, LABEL_SESSION, LABEL_TETHER } from './container-spec.js';
import { infoFromInspect } from './container-info.js';
import { throwIfAborted, translateEngineError } from './translate-error.js';

/** SIGTERM grace before SIGKILL when removing: lets the session's programs flush files to the mounts */
export const DEFAULT_REMOVE_STOP_SECONDS = 2;

function statusOf(err: unknown): number | undefined {
  return (err as { statusCode?: number } | null)?.statusCode;
}

export async function createContainer(docker: Dockerode, spec: ContainerSpec, signal?: AbortSignal): Promise<string> {
  const what = `create container ${spec.name} (image ${spec.image})`;
  throwIfAborted(signal, what);
  try {
    const c = await docker.createContainer({ ...createOptionsFor(spec), abortSignal: signal } as Dockerode.ContainerCreateOptions);
    return c.id;
  } catch (err) {
    const e = translateEngineError(err, what);
    // 404 on create means the image is missing, not the container
    if (statusOf(err) === 404) return Promise.reject(translateEngineError(err, what, 'image'));
    throw e;
  }
}

export async function startContainer(docker: Dockerode, id: string, signal?: AbortSignal): Promise<void> {
  const what = `start container ${id}`;
  throwIfAborted(signal, what);
  try {
    await docker.getContainer(id).start({ abortSignal: signal });
  } catch (err) {
    if (statusOf(err) === 304) return; // already started
    throw translateEngineError(err, what);
  }
}

export async function stopContainer(docker: Dockerode, id: string, opts: { timeoutSeconds?: number; signal?: AbortSignal } = {}): Promise<void> {
  const what = `stop container ${id}`;
  throwIfAborted(opts.signal, what);
  try {
    await docker.getContainer(id).stop({ t: opts.timeoutSeconds ?? 5, abortSignal: opts.signal });
  } catch (err) {
    const status = statusOf(err);
    if (status === 304 || status === 404) return; // already stopped, or gone
    throw translateEngineError(err, what);
  }
}

/** Stop briefly, then force-remove. Never removes volumes (v: false); bind sources are never touched by the engine. */
export async function removeContainer(docker: Dockerode, id: string, signal?: AbortSignal, stopSeconds = DEFAULT_REMOVE_STOP_SECONDS): Promise<void> {
  if (stopSeconds > 0) await stopContainer(docker, id, { timeoutSeconds: stopSeconds, signal });
  const what = `remove container ${id}`;
  throwIfAborted(signal, what);
  try {
    await docker.getContainer(id).remove({ force: true, v: false, abortSignal: signal });
  } catch (err) {
    const status = statusOf(err);
    if (status === 404) return;
    // 409 "removal already in progress": someone else is removing it, which is what we want
    if (status === 409 && /already in progress/i.test(String((err as { json?: { message?: string } }).json?.message))) return;
    throw translateEngineError(err, what);
  }
}

export async function inspectContainer(docker: Dockerode, id: string, signal?: AbortSignal): Promise<ContainerInfo | undefined> {
  try {
    return infoFromInspect(await docker.getContainer(id).inspect({ abortSignal: signal }));
  } catch (err) {
    if (statusOf(err) === 404) return undefined;
    throw translateEngineError(err, `inspect container ${id}`);
  }
}

/** Containers carrying every given label (key=value); each inspected so user and limits are filled in. */
export async function listByLabels(docker: Dockerode, labels: string[], signal?: AbortSignal): Promise<ContainerInfo[]> {
  let entries: Dockerode.ContainerInfo[];
  try {
    entries = await docker.listContainers({ all: true, filters: { label: labels }, abortSignal: signal });
  } catch (err) {
    throw translateEngineError(err, `list containers labelled ${labels.join(',')}`);
  }
  const infos = await Promise.all(entries.map((e) => inspectContainer(docker, e.Id, signal)));
  // a container removed between list and inspect is simply gone
  return infos.filter((i): i is ContainerInfo => i !== undefined);
}

export function listTether(docker: Dockerode, signal?: AbortSignal): Promise<ContainerInfo[]> {
  return listByLabels(docker, [`${LABEL_TETHER}=1`], signal);
}

export async function findBySession(docker: Dockerode, sessionId: string, signal?: AbortSignal): Promise<ContainerInfo | undefined> {
  const found = await listByLabels(docker, [`${LABEL_TETHER}=1`, `${LABEL_SESSION}=${sessionId}`], signal);
  return found[0];
}
