// Engine inspect/list answers -> ContainerInfo.
import type Dockerode from 'dockerode';
import type { ContainerInfo } from '../types.js';
import { LABEL_IMAGE, LABEL_INSTANCE, LABEL_SESSION, LABEL_USER } from './container-spec.js';

export function infoFromInspect(c: Dockerode.ContainerInspectInfo): ContainerInfo {
  const labels = c.Config.Labels ?? {};
  return {
    id: c.Id,
    name: c.Name.replace(/^\//, ''),
    sessionId: labels[LABEL_SESSION] ?? null,
    userId: labels[LABEL_USER] ?? null,
    imageId: labels[LABEL_IMAGE] ?? null,
    instanceId: labels[LABEL_INSTANCE] ?? null,
    running: c.State.Running,
    state: c.State.Status,
    pid: c.State.Running && c.State.Pid > 0 ? c.State.Pid : null,
    host: null,
    mounts: (c.Mounts ?? []).map((m) => ({ source: m.Source, target: m.Destination, readOnly: !m.RW })),
    user: c.Config.User ?? '',
    image: c.Config.Image,
    labels,
    limits: { nanoCpus: c.HostConfig.NanoCpus || null, memory: c.HostConfig.Memory || null },
    createdAt: c.Created,
  };
}

/** The list answer lacks user and limits; callers that need them inspect. */
export function infoFromListEntry(c: Dockerode.ContainerInfo): ContainerInfo {
  const labels = c.Labels ?? {};
  return {
    id: c.Id,
    name: (c.Names[0] ?? '').replace(/^\//, ''),
    sessionId: labels[LABEL_SESSION] ?? null,
    userId: labels[LABEL_USER] ?? null,
    imageId: labels[LABEL_IMAGE] ?? null,
    instanceId: labels[LABEL_INSTANCE] ?? null,
    running: c.State === 'running',
    state: c.State,
    pid: null,
    host: null,
    mounts: (c.Mounts ?? []).map((m) => ({ source: m.Source, target: m.Destination, readOnly: !m.RW })),
    user: '',
    image: c.Image,
    labels,
    limits: { nanoCpus: null, memory: null },
    createdAt: new Date(c.Created * 1000).toISOString(),
  };
}
