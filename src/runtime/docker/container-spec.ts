// Pure translation of a ContainerSpec into the engine's create body. Bind mounts go through
// HostConfig.Mounts (not Binds): the engine then refuses a missing source instead of silently
// creating an empty root-owned folder in its place. Every container is confined (hardening.ts):
// its network, CapDrop ALL plus the kept capabilities, no-new-privileges, a pids limit.
import type Dockerode from 'dockerode';
import type { ContainerSpec } from '../types.js';
import { DEFAULT_HARDENING } from '../hardening.js';

export const LABEL_TETHER = 'tether';
export const LABEL_SESSION = 'tether.session';
export const LABEL_USER = 'tether.user';
export const LABEL_IMAGE = 'tether.image';
export const LABEL_INSTANCE = 'tether.instance';
/** the network the session joined: the app proxy reads the container's address on it */
export const LABEL_NETWORK = 'tether.network';

export function labelsFor(spec: ContainerSpec): Record<string, string> {
  const labels: Record<string, string> = {
    [LABEL_TETHER]: '1',
    [LABEL_SESSION]: spec.sessionId,
    [LABEL_USER]: spec.userId,
    [LABEL_IMAGE]: spec.imageId,
  };
  if (spec.instanceId !== undefined) labels[LABEL_INSTANCE] = spec.instanceId;
  labels[LABEL_NETWORK] = (spec.hardening ?? DEFAULT_HARDENING).network;
  return labels;
}

export function createOptionsFor(spec: ContainerSpec): Dockerode.ContainerCreateOptions {
  const hostConfig: Dockerode.HostConfig = {
    Mounts: spec.mounts.map((m) => ({ Type: 'bind', Source: m.source, Target: m.target, ReadOnly: m.readOnly })),
    // the engine keeps the container when it exits: Tether's reconcile decides what to remove
    AutoRemove: false,
    ...hardeningOf(spec),
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

function hardeningOf(spec: ContainerSpec): Dockerode.HostConfig {
  const h = spec.hardening ?? DEFAULT_HARDENING;
  return {
    NetworkMode: h.network,
    CapDrop: ['ALL'],
    CapAdd: [...h.capabilities],
    SecurityOpt: h.noNewPrivileges ? ['no-new-privileges'] : [],
    // 0 would mean "no limit" on some engines and "unset" on others: -1 says it plainly
    PidsLimit: h.pidsLimit ?? -1,
  };
}
