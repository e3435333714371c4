// A session's service and its newest task -> ContainerInfo, in the single engine's words.
import type { ContainerInfo } from '../types.js';
import { LABEL_IMAGE, LABEL_INSTANCE, LABEL_SESSION, LABEL_USER } from '../docker/container-spec.js';
import { containerStateOf } from './tasks.js';
import type { SwarmService, SwarmTask } from './swarm-types.js';

export function infoFromService(service: SwarmService, task: SwarmTask | undefined): ContainerInfo {
  const labels = service.Spec.Labels ?? {};
  const container = service.Spec.TaskTemplate.ContainerSpec;
  const limits = service.Spec.TaskTemplate.Resources?.Limits ?? {};
  const pinned = /^node\.id==(.+)$/.exec(service.Spec.TaskTemplate.Placement?.Constraints?.[0] ?? '')?.[1];
  const state = containerStateOf(task, service.Spec.Mode.Replicated?.Replicas ?? 0);
  return {
    id: service.ID,
    name: service.Spec.Name,
    sessionId: labels[LABEL_SESSION] ?? null,
    userId: labels[LABEL_USER] ?? null,
    imageId: labels[LABEL_IMAGE] ?? null,
    instanceId: labels[LABEL_INSTANCE] ?? null,
    running: state === 'running',
    state,
    // the pid is in the node's own pid namespace: meaningless to the manager's host
    pid: null,
    // the node it runs on, else the one it is pinned to
    host: task?.NodeID ?? pinned ?? null,
    mounts: (container.Mounts ?? []).map((m) => ({ source: m.Source, target: m.Target, readOnly: m.ReadOnly === true })),
    user: container.User ?? '',
    image: container.Image,
    labels,
    limits: { nanoCpus: limits.NanoCPUs || null, memory: limits.MemoryBytes || null },
    createdAt: service.CreatedAt,
  };
}
