// Connecting to one engine: the local socket by default, or a DOCKER_HOST-style address
// (unix:///path, tcp://host:port, http(s)://host:port) passed in by configuration.
import Dockerode from 'dockerode';
import { translateEngineError } from './translate-error.js';

export const DEFAULT_SOCKET = '/var/run/docker.sock';

export interface EngineConnection {
  docker: Dockerode;
  /** true when Tether and the engine share a host (unix socket) */
  local: boolean;
}

export function connectEngine(opts: { docker?: Dockerode; dockerHost?: string }): EngineConnection {
  if (opts.docker) {
    return { docker: opts.docker, local: Boolean((opts.docker.modem as { socketPath?: unknown }).socketPath) };
  }
  const host = opts.dockerHost;
  if (!host) return { docker: new Dockerode({ socketPath: DEFAULT_SOCKET }), local: true };
  if (host.startsWith('unix://')) return { docker: new Dockerode({ socketPath: host.slice('unix://'.length) }), local: true };
  if (host.startsWith('/')) return { docker: new Dockerode({ socketPath: host }), local: true };
  const url = new URL(host.replace(/^tcp:/, 'http:'));
  const protocol = url.protocol === 'https:' ? 'https' : 'http';
  return {
    docker: new Dockerode({ protocol, host: url.hostname, port: url.port ? Number(url.port) : protocol === 'https' ? 2376 : 2375 }),
    local: false,
  };
}

export interface EngineVersion {
  apiVersion: string;
  version: string;
}

/** The API version the engine speaks; features newer than it (e.g. BindOptions.CreateMountpoint, 1.42) must not be sent. */
export async function engineVersion(docker: Dockerode, signal?: AbortSignal): Promise<EngineVersion> {
  try {
    // the typings lack the options argument that dockerode accepts
    const version = docker.version.bind(docker) as unknown as (o: object) => Promise<Dockerode.DockerVersion>;
    const v = await version({ abortSignal: signal });
    return { apiVersion: v.ApiVersion, version: v.Version };
  } catch (err) {
    throw translateEngineError(err, 'version');
  }
}

/** compares "1.41" style versions: negative when a < b */
export function compareApiVersions(a: string, b: string): number {
  const [am = 0, an = 0] = a.split('.').map(Number);
  const [bm = 0, bn = 0] = b.split('.').map(Number);
  return am !== bm ? am - bm : an - bn;
}
