// What a session's container gets besides its mounts: resource limits (the image's, else the
// server's defaults) and its confinement (Tether's defaults with the image's overrides).
import type { ImageRecord } from '../store/types.js';
import type { ContainerSpec } from '../runtime/types.js';
import {
  DEFAULT_CAPABILITIES, DEFAULT_PIDS_LIMIT, DEFAULT_SESSION_CORES, DEFAULT_SESSION_MEMORY, SESSION_NETWORK,
  type ContainerHardening,
} from '../runtime/hardening.js';

/** The server's defaults for images that set none (config: TETHER_SESSION_CORES, _MEMORY, _PIDS_LIMIT); null = no limit. */
export interface ContainerDefaults {
  cores: number | null;
  /** bytes */
  memory: number | null;
  pidsLimit: number | null;
}

export const BUILT_IN_CONTAINER_DEFAULTS: Readonly<ContainerDefaults> = Object.freeze({
  cores: DEFAULT_SESSION_CORES,
  memory: DEFAULT_SESSION_MEMORY,
  pidsLimit: DEFAULT_PIDS_LIMIT,
});

export function hardeningFor(image: Pick<ImageRecord, 'security'>, defaults: ContainerDefaults): ContainerHardening {
  const s = image.security ?? {};
  const dropped = new Set(s.cap_drop ?? []);
  const kept = dropped.has('ALL') ? [] : DEFAULT_CAPABILITIES.filter((c) => !dropped.has(c));
  const capabilities = [...new Set([...kept, ...(s.cap_add ?? [])])].sort();
  return {
    network: s.network ?? SESSION_NETWORK,
    capabilities,
    noNewPrivileges: s.no_new_privileges ?? true,
    pidsLimit: s.pids_limit === undefined ? defaults.pidsLimit : s.pids_limit,
  };
}

/** The limits and confinement fields of the container spec. */
export function confinementFor(image: Pick<ImageRecord, 'cores' | 'memory' | 'security'>, defaults: ContainerDefaults): Pick<ContainerSpec, 'cores' | 'memory' | 'hardening'> {
  return {
    cores: image.cores ?? defaults.cores,
    memory: image.memory ?? defaults.memory,
    hardening: hardeningFor(image, defaults),
  };
}
