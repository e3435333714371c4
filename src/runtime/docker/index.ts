// The Docker backend of Runtime: one engine, the local socket or a remote DOCKER_HOST.
import type Dockerode from 'dockerode';
import type { Runtime } from '../types.js';
import { connectEngine, engineVersion, type EngineVersion } from './engine.js';
import { ensureImage } from './images.js';
import {
  createContainer, findBySession, inspectContainer, listTether, removeContainer, startContainer, stopContainer,
} from './containers.js';
import { SessionNetwork } from './session-network.js';
import { copyFromImage } from './image-archive.js';
import { execInContainer } from './exec.js';
import { dialContainer } from './dial.js';
import { Remembered } from '../remembered.js';

export interface DockerRuntime extends Runtime {
  readonly kind: 'docker';
  /** the dockerode client, for host preparation through a helper container on the same engine */
  readonly docker: Dockerode;
  /** the engine's version and API version (asked once, then cached) */
  engineVersion(signal?: AbortSignal): Promise<EngineVersion>;
}

export interface DockerRuntimeOptions {
  /** an existing client (tests); otherwise one is built from dockerHost */
  docker?: Dockerode;
  /** DOCKER_HOST-style address; default the local socket /var/run/docker.sock */
  dockerHost?: string;
  /** SIGTERM grace in remove() before the forced removal; default 2 s, 0 = kill at once */
  removeStopSeconds?: number;
}

export function createDockerRuntime(opts: DockerRuntimeOptions = {}): DockerRuntime {
  const { docker, local } = connectEngine(opts);
  const network = new SessionNetwork(docker);
  const addresses = new Remembered<string>();
  let version: Promise<EngineVersion> | undefined;
  return {
    kind: 'docker',
    local,
    docker,
    engineVersion(signal) {
      version ??= engineVersion(docker, signal).catch((err: unknown) => {
        version = undefined;
        throw err;
      });
      return version;
    },
    ensureImage: (ref, o) => ensureImage(docker, ref, o),
    create: (spec, signal) => createContainer(docker, spec, signal, network),
    start: (id, signal) => startContainer(docker, id, signal),
    stop: (id, o) => stopContainer(docker, id, o),
    remove(id, signal) {
      addresses.forget(id);
      return removeContainer(docker, id, signal, opts.removeStopSeconds);
    },
    inspect: (id, signal) => inspectContainer(docker, id, signal),
    list: (signal) => listTether(docker, signal),
    findBySession: (sessionId, signal) => findBySession(docker, sessionId, signal),
    exec: (id, o) => execInContainer(docker, id, o),
    dial: (id, port, signal) => dialContainer(docker, addresses, id, port, signal),
    copyFromImage: (ref, path, dest, signal) => copyFromImage(docker, ref, path, dest, signal),
  };
}

