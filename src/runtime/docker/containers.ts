// Session containers on one engine: create, start, stop, remove, inspect, list by label.
import type Dockerode from 'dockerode';
import type { ContainerInfo, ContainerSpec } from '../types.js';
import { createOptionsFor, LABEL_SESSION, LABEL_TETHER } from './container-spec.js';
import { infoFromInspect } from './container-info.js';
import { engineMessage, throwIfAborted, translateEngineError, type EngineErrorShape } from './translate-error.js';
import { SESSION_NETWORK } from '../hardening.js';
import type { SessionNetwork } from './session-network.js';

/** SIGTERM grace before SIGKILL when removing: lets the session's programs flush files to the mounts */
export const DEFAULT_REMOVE_STOP_SECONDS = 2;

function statusOf(err: unknown): number | undefined {
  return (err as { statusCode?: number } | null)?.statusCode;
}

/**
 * Creates the container; first makes sure the sessions' network exists when the container
 * joins it. A network removed behind Tether's back is created again once, then the create retried.
 */
export async function createContainer(docker: Dockerode, spec: ContainerSpec, signal?: AbortSignal, network?: SessionNetwork): Promise<string> {
  const what = `create container ${spec.name} (image ${spec.image})`;
  throwIfAborted(signal, what);
  const onSessionNetwork = network !== undefined && (spec.hardening?.network ?? SESSION_NETWORK) === SESSION_NETWORK;
  if (onSessionNetwork) await network.ensure(signal);
  try {
    return await createOnce(docker, spec, signal);
  } catch (err) {
    if (!onSessionNetwork || !isMissingNetwork(err)) throw err;
    network.forget();
    await network.ensure(signal);
    return createOnce(docker, spec, signal);
  }
}

async function createOnce(docker: Dockerode, spec: ContainerSpec, signal?: AbortSignal): Promise<string> {
  const what = `create container ${spec.name} (image ${spec.image})`;
  try {
    const c = await docker.createContainer({ ...createOptionsFor(spec), abortSignal: signal } as Dockerode.ContainerCreateOptions);
    return c.id;
  } catch (err) {
    // 404 on create means the image or the network is missing, not the container
    if (statusOf(err) === 404 && !isMissingNetwork(err)) throw translateEngineError(err, what, 'image');
    throw translateEngineError(err, what);
  }
}

/** The engine answers 404 "network X not found" when the container's network is missing. */
function isMissingNetwork(err: unknown): boolean {
  const cause = err instanceof Error && err.cause !== undefined ? err.cause : err;
  if (statusOf(cause) !== 404) return false;
  return /network .* not found/i.test(engineMessage(cause as EngineErrorShape));
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
