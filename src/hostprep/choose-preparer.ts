// Local worker processes when Tether shares the engine's host (fast); a helper container on
// the engine otherwise (remote DOCKER_HOST, later swarm nodes). Both stage what they prepared
// under the staging root and verify a started container's mounts the same way.
import type { HostPathPolicy } from '../mappings/index.js';
import type { DockerRuntime } from '../runtime/docker/index.js';
import { createEngineHostPreparer, type EngineHostPreparer } from './engine-preparer.js';
import { createLocalHostPreparer, type LocalHostPreparer } from './local-preparer.js';
import type { PoolLogger } from './worker-pool.js';

export interface HostPreparerChoice {
  runtime: Pick<DockerRuntime, 'local' | 'docker'>;
  /** image for helper containers on a remote engine (busybox tools) */
  helperImage: string;
  policy?: HostPathPolicy;
  logger?: PoolLogger;
  /** local worker processes kept ready / at most (local engine only; defaults in local-preparer.ts) */
  minWorkers?: number;
  maxWorkers?: number;
  /** root-only folder for stages on the engine's host (default /run/tether/staging) */
  stagingRoot?: string;
  /** this instance's folder under the staging root (e.g. the instance id), swept at start */
  stagingNamespace?: string;
}

export function createHostPreparer(opts: HostPreparerChoice): LocalHostPreparer | EngineHostPreparer {
  const staging = { stagingRoot: opts.stagingRoot, stagingNamespace: opts.stagingNamespace };
  if (opts.runtime.local) return createLocalHostPreparer({ policy: opts.policy, logger: opts.logger, minWorkers: opts.minWorkers, maxWorkers: opts.maxWorkers, ...staging });
  return createEngineHostPreparer({ docker: opts.runtime.docker, image: opts.helperImage, policy: opts.policy, ...staging });
}
