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
