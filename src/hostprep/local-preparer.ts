// Host preparation when Tether runs on the engine's host: worker processes do the fs work.
import { DEFAULT_POLICY, checkHostPath } from '../mappings/index.js';
import type { HostPathPolicy } from '../mappings/index.js';
import type { HostPreparer, PrepareRequest, PrepareResult } from './types.js';
import { WorkerPool, type PoolLogger, type WorkerPoolStats } from './worker-pool.js';
import { workerScript } from './worker-script.js';
import { validateRequest } from './validate-request.js';

export interface LocalHostPreparerOptions {
  policy?: HostPathPolicy;
  minWorkers?: number;
  maxWorkers?: number;
  logger?: PoolLogger;
}

export interface LocalHostPreparer extends HostPreparer {
  readonly kind: 'local';
  stats(): WorkerPoolStats;
}

export function createLocalHostPreparer(opts: LocalHostPreparerOptions = {}): LocalHostPreparer {
  const policy = opts.policy ?? DEFAULT_POLICY;
  const poolOptions = { minWorkers: opts.minWorkers, maxWorkers: opts.maxWorkers, logger: opts.logger };
  let pool: WorkerPool | undefined;
  let closed = false;
  // the workers start now, so the first request finds them ready
  const poolReady = workerScript().then((script) => {
    pool = new WorkerPool(script, poolOptions);
    if (closed) void pool.close();
    return pool;
  });
  const emptyStats: WorkerPoolStats = { live: 0, busy: 0, queued: 0, timedOut: 0, abandoned: 0, lingering: 0 };
  return {
    kind: 'local',
    stats: () => pool?.stats() ?? emptyStats,
    async prepare(req: PrepareRequest, signal?: AbortSignal): Promise<PrepareResult> {
      const invalid = validateRequest(req, policy);
      if (invalid) return invalid;
      if (req.skipCheck) {
        // skip_check: no storage access at all (not even realpath); the policy on the path string only
        return { ok: true, realPath: req.hostPath, created: [] };
      }
      const startedAt = Date.now();
      const ready = pool ?? (await poolReady);
      const outcome = await ready.run(
        { hostPath: req.hostPath, fixedPrefix: req.fixedPrefix, uid: req.uid, gid: req.gid, policy },
        req.timeoutMs - (Date.now() - startedAt),
        signal,
      );
      switch (outcome.kind) {
        case 'done': {
          const r = outcome.response;
          return r.ok ? { ok: true, realPath: r.realPath, created: r.created } : { ok: false, class: r.class, message: r.message };
        }
        case 'timeout':
          return {
            ok: false,
            class: 'timeout',
            message: signal?.aborted
              ? `host preparation of ${JSON.stringify(req.hostPath)} was abandoned: the launch was cancelled`
              : `host preparation of ${JSON.stringify(req.hostPath)} did not finish within ${req.timeoutMs} ms${outcome.queued ? ' (still queued behind other preparations)' : ''}; the storage may be hanging (expected an answer within the mapping's timeout)`,
          };
        case 'crashed':
          return { ok: false, class: 'io', message: `host preparation of ${JSON.stringify(req.hostPath)}: ${outcome.message}` };
      }
    },
    close: async () => {
      closed = true;
      await pool?.close();
    },
  };
}

export { checkHostPath };
