// Session services on the swarm: create (and wait for the task), start, stop, remove,
// inspect, list and find by label. The service id is the session's container id for Tether.
import type Dockerode from 'dockerode';
import type { ContainerInfo, ContainerSpec, RegistryAuth } from '../types.js';
import { isRuntimeError } from '../errors.js';
import { LABEL_SESSION, LABEL_TETHER } from '../docker/container-spec.js';
import { callEngine, filtersQuery } from './engine-call.js';
import { serviceSpecFor, type ServiceSpecOptions } from './service-spec.js';
import { infoFromService } from './service-info.js';
import { newestTasks, tasksOf, waitUntilRunning, waitUntilStopped } from './tasks.js';
import type { SwarmService, SwarmServiceSpec } from './swarm-types.js';

/** how long remove() waits, past the stop grace, for the task's container to stop; then it returns anyway */
const REMOVE_SETTLE_MS = 10_000;

export async function createService(
  docker: Dockerode, spec: ContainerSpec, opts: ServiceSpecOptions & { auth?: RegistryAuth }, signal?: AbortSignal,
): Promise<string> {
  const what = `create service ${spec.name} (image ${spec.image}${spec.node ? `, node ${spec.node}` : ''})`;
  const body = serviceSpecFor(spec, opts);
  const { ID: id } = await callEngine<{ ID: string }>(docker, { method: 'POST', path: '/services/create', body, auth: opts.auth, signal }, what);
  try {
    await waitUntilRunning(docker, id, what, signal);
  } catch (err) {
    // a refused task leaves nothing behind; an abandoned wait (deadline) leaves the service
    // for the caller, who finds it by session label as it would a late container
    if (!isRuntimeError(err, 'aborted')) await removeService(docker, id, AbortSignal.timeout(REMOVE_SETTLE_MS), 0).catch(() => undefined);
    throw err;
  }
  return id;
}

async function inspectRaw(docker: Dockerode, id: string, what: string, signal?: AbortSignal): Promise<SwarmService | undefined> {
  try {
    return await callEngine<SwarmService>(docker, { method: 'GET', path: `/services/${encodeURIComponent(id)}`, signal }, what);
  } catch (err) {
    if (isRuntimeError(err, 'not_found')) return undefined;
    throw err;
  }
}

function updateService(docker: Dockerode, service: SwarmService, spec: SwarmServiceSpec, what: string, signal?: AbortSignal): Promise<unknown> {
  return callEngine(docker, {
    method: 'POST', path: `/services/${encodeURIComponent(service.ID)}/update`, query: { version: service.Version.Index }, body: spec, signal,
  }, what);
}

/** Runs the service's task again when it is not running: scaled back to one, or a fresh task for a finished one. */
export async function startService(docker: Dockerode, id: string, signal?: AbortSignal): Promise<void> {
  const what = `start service ${id}`;
  const service = await callEngine<SwarmService>(docker, { method: 'GET', path: `/services/${encodeURIComponent(id)}`, signal }, what);
  const tasks = await tasksOf(docker, [service.ID], signal);
  const current = newestTasks(tasks).get(service.ID);
  const replicas = service.Spec.Mode.Replicated?.Replicas ?? 0;
  if (replicas > 0 && current && ['running', 'new', 'pending', 'assigned', 'accepted', 'preparing', 'starting'].includes(current.Status.State)) {
    await waitUntilRunning(docker, service.ID, what, signal);
    return;
  }
  const spec = structuredClone(service.Spec);
  spec.Mode = { Replicated: { Replicas: 1 } };
  // with RestartPolicy none Swarm counts a slot whose task ended as done, also after a scale
  // to zero and back (seen on 20.10: no new task at all): ForceUpdate asks for a new task
  spec.TaskTemplate.ForceUpdate = (spec.TaskTemplate.ForceUpdate ?? 0) + 1;
  await updateService(docker, service, spec, what, signal);
  await waitUntilRunning(docker, service.ID, what, signal, new Set(tasks.map((t) => t.ID)));
}

/**
 * Scales the service to zero and waits until its task stopped. The SIGTERM grace is the one
 * set at create (a running task's spec cannot change), so `timeoutSeconds` is not used here.
 */
export async function stopService(docker: Dockerode, id: string, signal?: AbortSignal): Promise<void> {
  const what = `stop service ${id}`;
  const service = await inspectRaw(docker, id, what, signal);
  if (!service) return;
  if ((service.Spec.Mode.Replicated?.Replicas ?? 0) > 0) {
    const spec = structuredClone(service.Spec);
    spec.Mode = { Replicated: { Replicas: 0 } };
    await updateService(docker, service, spec, what, signal);
  }
  await waitUntilStopped(docker, service.ID, what, signal);
}

/** Removes the service (Swarm stops its task with the grace set at create); waits, bounded, for the task to stop. Missing is fine. */
export async function removeService(docker: Dockerode, id: string, signal?: AbortSignal, stopGraceSeconds = 0): Promise<void> {
  const what = `remove service ${id}`;
  const service = await inspectRaw(docker, id, what, signal);
  if (!service) return;
  try {
    await callEngine(docker, { method: 'DELETE', path: `/services/${encodeURIComponent(service.ID)}`, signal }, what);
  } catch (err) {
    if (isRuntimeError(err, 'not_found')) return;
    throw err;
  }
  const settle = AbortSignal.timeout(stopGraceSeconds * 1000 + REMOVE_SETTLE_MS);
  await waitUntilStopped(docker, service.ID, what, signal ? AbortSignal.any([signal, settle]) : settle).catch((err: unknown) => {
    // the service is gone either way; only the caller's own abort is its business
    if (signal?.aborted) throw err;
  });
}

export async function inspectService(docker: Dockerode, id: string, signal?: AbortSignal): Promise<ContainerInfo | undefined> {
  const service = await inspectRaw(docker, id, `inspect service ${id}`, signal);
  if (!service) return undefined;
  const task = newestTasks(await tasksOf(docker, [service.ID], signal)).get(service.ID);
  return infoFromService(service, task);
}

/** Services carrying every given label (key=value), each with its newest task (one request for all tasks). */
export async function listByLabels(docker: Dockerode, labels: string[], signal?: AbortSignal): Promise<ContainerInfo[]> {
  const services = await callEngine<SwarmService[]>(docker, { method: 'GET', path: '/services', query: filtersQuery({ label: labels }), signal }, `list services labelled ${labels.join(',')}`);
  const tasks = newestTasks(await tasksOf(docker, services.map((s) => s.ID), signal));
  return services.map((s) => infoFromService(s, tasks.get(s.ID)));
}

export function listTether(docker: Dockerode, signal?: AbortSignal): Promise<ContainerInfo[]> {
  return listByLabels(docker, [`${LABEL_TETHER}=1`], signal);
}

export async function findBySession(docker: Dockerode, sessionId: string, signal?: AbortSignal): Promise<ContainerInfo | undefined> {
  return (await listByLabels(docker, [`${LABEL_TETHER}=1`, `${LABEL_SESSION}=${sessionId}`], signal))[0];
}

/**
 * Where a session's task runs: its node, the container id on that node's engine (terminal, app
 * proxy, tests) and, while it runs, its main process in that node's pid namespace (verify).
 */
export async function locateTask(docker: Dockerode, id: string, signal?: AbortSignal): Promise<{ nodeId: string; containerId: string; pid: number | null } | undefined> {
  const task = newestTasks(await tasksOf(docker, [id], signal)).get(id);
  const containerId = task?.Status.ContainerStatus?.ContainerID;
  const pid = task?.Status.State === 'running' ? task.Status.ContainerStatus?.PID || null : null;
  return task?.NodeID && containerId ? { nodeId: task.NodeID, containerId, pid } : undefined;
}
