// Host preparation when Tether runs on the engine's host: worker processes do the fs work
// (walk, create, chown, check, stage) and the after-start verification; stages are released
// from this process (a lazy umount and an rmdir on Tether's own tmpfs folder: never storage).
import { DEFAULT_POLICY, checkHostPath } from '../mappings/index.js';
import type { HostPathPolicy } from '../mappings/index.js';
import type { BindCheck, HostPreparer, PrepareRequest, PrepareResult, ProfilePreparer, ProfileStepAnswer, ProfileStepRequest, ProfileStepResult, VerifyResult } from './types.js';
import { probeStorageWith } from './storage-probe.js';
import { WorkerPool, type PoolLogger, type PoolOutcome, type WorkerPoolStats } from './worker-pool.js';
import { workerScript } from './worker-script.js';
import { checkHostRoot, inHost } from './host-root.js';
import { validateRequest } from './validate-request.js';
import { DEFAULT_STAGING_ROOT, releaseStageDir, removeNamespaceDir, sessionStageDir, sweepNamespace } from './staging.js';
import type { Work } from './protocol.js';

export interface LocalHostPreparerOptions {
  policy?: HostPathPolicy;
  minWorkers?: number;
  maxWorkers?: number;
  logger?: PoolLogger;
  /** root-only folder for stages (default /run/tether/staging) */
  stagingRoot?: string;
  /** this instance's folder under the staging root, swept at start (default p<pid>) */
  stagingNamespace?: string;
  /**
   * where this process sees the node's / (default '/'): '/host' for the agent in its container.
   * Paths in requests and results stay the node's; the staging root defaults to <hostRoot>/run/tether/staging.
   */
  hostRoot?: string;
}

export interface LocalHostPreparer extends HostPreparer {
  readonly kind: 'local';
  stats(): WorkerPoolStats;
}

export function createLocalHostPreparer(opts: LocalHostPreparerOptions = {}): LocalHostPreparer {
  const policy = opts.policy ?? DEFAULT_POLICY;
  const hostRoot = checkHostRoot(opts.hostRoot ?? '/');
  const stagingRoot = opts.stagingRoot ?? inHost(DEFAULT_STAGING_ROOT, hostRoot);
  const namespace = opts.stagingNamespace ?? `p${process.pid}`;
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

  async function run(work: Work, timeoutMs: number, signal?: AbortSignal): Promise<PoolOutcome> {
    const startedAt = Date.now();
    const ready = pool ?? (await poolReady);
    return ready.run(hostRoot === '/' ? work : { ...work, hostRoot }, timeoutMs - (Date.now() - startedAt), signal);
  }

  /** One profile step in a worker, under the profile's deadline; never rejects. */
  async function profileStep<S extends ProfileStepAnswer['step']>(step: S, req: ProfileStepRequest, extra: { reset: boolean; seedTar: string | null }, signal?: AbortSignal): Promise<ProfileStepResult<S>> {
    const invalid = validateRequest({ ...req, skipCheck: false, session: 'profile' }, policy);
    if (invalid && !invalid.ok) return invalid;
    const what = `persistent profile ${JSON.stringify(req.hostPath)} (${step})`;
    const outcome = await run({ op: 'profile', step, hostPath: req.hostPath, fixedPrefix: req.fixedPrefix, uid: req.uid, gid: req.gid, ...extra, policy }, req.timeoutMs, signal);
    if (outcome.kind === 'timeout') {
      return { ok: false, class: 'timeout', message: signal?.aborted ? `${what} was abandoned: the launch was cancelled` : `${what} did not finish within ${req.timeoutMs} ms; the storage may be hanging (expected an answer within the profile's timeout)` };
    }
    if (outcome.kind === 'crashed') return { ok: false, class: 'io', message: `${what}: ${outcome.message}` };
    const r = outcome.response;
    if (!r.ok) return { ok: false, class: r.class, message: r.message };
    if (!('profile' in r) || r.profile.step !== step) return { ok: false, class: 'io', message: `${what}: the worker answered something else` };
    return { ok: true, ...r.profile } as ProfileStepResult<S>;
  }
  const profiles: ProfilePreparer = {
    probeProfile: (req, signal) => profileStep('probe', req, { reset: false, seedTar: null }, signal),
    buildProfile: (req, signal) => profileStep('build', req, { reset: req.reset, seedTar: req.seedTar }, signal),
    purgeProfileTrash: (req, signal) => profileStep('purge', req, { reset: false, seedTar: null }, signal),
  };

  return {
    kind: 'local',
    profiles,
    stats: () => pool?.stats() ?? emptyStats,
    probeStorage: (req, signal) => probeStorageWith((work, timeoutMs) => run({ ...work, policy }, timeoutMs, signal), req, policy, signal),
    async prepare(req: PrepareRequest, signal?: AbortSignal): Promise<PrepareResult> {
      const invalid = validateRequest(req, policy);
      if (invalid) return invalid;
      let stageDir: string;
      try {
        stageDir = sessionStageDir(stagingRoot, namespace, req.session);
      } catch (err) {
        return { ok: false, class: 'io', message: (err as Error).message };
      }
      const outcome = await run(
        { op: 'prepare', hostPath: req.hostPath, fixedPrefix: req.fixedPrefix, uid: req.uid, gid: req.gid, skipCheck: req.skipCheck, stageDir, policy },
        req.timeoutMs,
        signal,
      );
      switch (outcome.kind) {
        case 'done': {
          const r = outcome.response;
          if (!r.ok) return { ok: false, class: r.class, message: r.message };
          if (!('source' in r)) return { ok: false, class: 'io', message: `host preparation of ${JSON.stringify(req.hostPath)}: the worker answered something else` };
          return { ok: true, realPath: r.realPath, created: r.created, source: r.source, identity: r.identity };
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
    async verify(pid: number, checks: BindCheck[], timeoutMs: number, signal?: AbortSignal): Promise<VerifyResult> {
      if (checks.length === 0) return { ok: true, findings: [] };
      const outcome = await run({ op: 'verify', pid, checks }, timeoutMs, signal);
      if (outcome.kind === 'timeout') return { ok: false, class: 'timeout', message: `verifying the mounts of container process ${pid} did not finish within ${timeoutMs} ms; a mapped storage may be hanging` };
      if (outcome.kind === 'crashed') return { ok: false, class: 'io', message: `verifying the mounts of container process ${pid}: ${outcome.message}` };
      const r = outcome.response;
      if (!r.ok) return { ok: false, class: r.class, message: r.message };
      if (!('findings' in r)) return { ok: false, class: 'io', message: `verifying the mounts of container process ${pid}: the worker answered something else` };
      return { ok: true, findings: r.findings };
    },
    async release(session: string): Promise<void> {
      try {
        await releaseStageDir(sessionStageDir(stagingRoot, namespace, session));
      } catch (err) {
        opts.logger?.warn({ err, session }, `hostprep: releasing the stages of ${session} failed; the next sweep retries`);
      }
    },
    sweep: () => sweepNamespace(stagingRoot, namespace),
    close: async () => {
      closed = true;
      await pool?.close();
      // an empty folder only (rmdir): stages of launches still under way are never touched
      await removeNamespaceDir(stagingRoot, namespace);
    },
  };
}

export { checkHostPath };
