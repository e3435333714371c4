// Pure translation of a ContainerSpec into the engine's create body. Bind mounts go through
// HostConfig.Mounts (not Binds): the engine then refuses a missing source instead of silently
// creating an empty root-owned folder in its place.
import type Dockerode from 'dockerode';
import type { ContainerSpec } from '../types.js';

export const LABEL_TETHER = 'tether';
export const LABEL_SESSION = 'tether.session';
export const LABEL_USER = 'tether.user';
export const LABEL_IMAGE = 'tether.image';
export const LABEL_INSTANCE = 'tether.instance';

export function labelsFor(spec: ContainerSpec): Record<string, string> {
  const labels: Record<string, string> = {
    [LABEL_TETHER]: '1',
    [LABEL_SESSION]: spec.sessionId,
    [LABEL_USER]: spec.userId,
    [LABEL_IMAGE]: spec.imageId,
  };
  if (spec.instanceId !== undefined) labels[LABEL_INSTANCE] = spec.instanceId;
  return labels;
}

export function createOptionsFor(spec: ContainerSpec): Dockerode.ContainerCreateOptions {
  const hostConfig: Dockerode.HostConfig = {
    Mounts: spec.mounts.map((m) => ({ Type: 'bind', Source: m.source, Target: m.target, ReadOnly: m.readOnly })),
    // the engine keeps the container when it exits: Tether's reconcile decides what to remove
    AutoRemove: false,
  };
  if (spec.cores !== null) hostConfig.NanoCpus = Math.round(spec.cores * 1e9);
  if (spec.memory !== null) hostConfig.Memory = spec.memory;
  const opts: Dockerode.ContainerCreateOptions = {
    name: spec.name,
    Image: spec.image,
    Labels: labelsFor(spec),
    HostConfig: hostConfig,
  };
  if (spec.user !== null) opts.User = spec.user;
  if (spec.env) opts.Env = spec.env;
  if (spec.cmd) opts.Cmd = spec.cmd;
  return opts;
}
