// Host preparation on an engine Tether does not share a host with (remote DOCKER_HOST, later
// swarm nodes): a short-lived helper container per operation that enters the engine's mount
// namespace (engine-script.ts) and walks, creates, chowns, checks and stages there, the same
// race-free way as the local workers; it also releases stages and verifies a started
// container's mounts. Same deadline rule as the local workers: at the deadline the answer is
// `timeout`, the exec is dropped and its late result ignored.
// A helper never outlives its work: it sleeps only as long as its deadline allows, the engine
// removes it when it stops (AutoRemove), and it is force-removed when the work ends.
import type Dockerode from 'dockerode';
import { checkHostPath, DEFAULT_POLICY, type HostPathPolicy } from '../mappings/index.js';
import { DEFAULT_OWNER, componentsBelow } from './prepare-steps.js';
import { PrepareStepError } from './classify.js';
import { ENTER_SCRIPT, EXIT_CLASSES, WORK_SCRIPT } from './engine-script.js';
import { execInContainer, type ExecResult } from './engine-exec.js';
import { joinPath, sameIdentity } from './beneath.js';
import { DEFAULT_STAGING_ROOT, checkStageName, newStageName, sessionStageDir } from './staging.js';
import type { BindCheck, DirIdentity, FailureClass, HostPreparer, PrepareRequest, PrepareResult, VerifyFinding, VerifyResult } from './types.js';
import { validateRequest } from './validate-request.js';

export const HELPER_LABEL = 'tether.helper';
/** the staging namespace (Tether instance) a helper works for: sweep() removes only its own */
export const HELPER_NAMESPACE_LABEL = 'tether.helper.namespace';

export interface EngineHostPreparerOptions {
  docker: Dockerode;
  /** an image on that engine with busybox (sh, nsenter, mount, umount, stat, find, ...) */
  image: string;
  policy?: HostPathPolicy;
  /** how long removing a helper container may take before it is left for sweep() (default 30 s) */
  removeTimeoutMs?: number;
  /** root-only folder for stages on the engine host (default /run/tether/staging) */
  stagingRoot?: string;
  /** this instance's folder under the staging root, swept by sweep() (default p<pid>) */
  stagingNamespace?: string;
}

export interface EngineHostPreparer extends HostPreparer {
  readonly kind: 'engine';
  /** helper containers whose removal has not finished (stuck on hung storage, or in progress) */
  stats(): { helpersPending: number; timedOut: number };
}

/** Deadline of release, sweep and verify helpers when the caller gives none. */
const HOUSEKEEPING_MS = 30_000;

function fromExit(r: ExecResult, step: string): PrepareStepError {
  const cls = EXIT_CLASSES[r.code] ?? 'io';
  return new PrepareStepError(cls, `${step} on the engine host failed (exit ${r.code}): ${r.stderr || r.stdout}`);
}

function line(out: string, key: string): string | undefined {
  return out.split('\n').find((l) => l.startsWith(`${key} `))?.slice(key.length + 1);
}

function parseIdentity(text: string | undefined): DirIdentity | null {
  const m = /^(\d+):(\d+)$/.exec(text?.trim() ?? '');
  return m ? { dev: Number(m[1]), ino: Number(m[2]) } : null;
}

type Run = (args: string[]) => Promise<ExecResult>;

export function createEngineHostPreparer(opts: EngineHostPreparerOptions): EngineHostPreparer {
  const { docker, image } = opts;
  const policy = opts.policy ?? DEFAULT_POLICY;
  const removeTimeoutMs = opts.removeTimeoutMs ?? 30_000;
  const stagingRoot = opts.stagingRoot ?? DEFAULT_STAGING_ROOT;
  const namespace = checkStageName('staging namespace', opts.stagingNamespace ?? `p${process.pid}`);
  let helpersPending = 0;
  let timedOut = 0;
  const removals = new Set<Promise<unknown>>();

  const policyOrThrow = (path: string, what: string): void => {
    const v = checkHostPath(path, policy);
    if (!v.ok) throw new PrepareStepError('policy', `${what}: ${v.reason}; ${v.suggestion}`);
  };

  /** Runs fn with a fresh helper container; the helper is removed whatever happens. */
  async function withHelper<T>(lifetimeMs: number, signal: AbortSignal, fn: (run: Run) => Promise<T>): Promise<T> {
    const container = await docker.createContainer({
      Image: image,
      // ends by itself shortly after the deadline, even if Tether dies meanwhile
      Cmd: ['sleep', String(Math.ceil(lifetimeMs / 1000) + 10)],
      Labels: { [HELPER_LABEL]: 'hostprep', [HELPER_NAMESPACE_LABEL]: namespace },
      HostConfig: {
        NetworkMode: 'none',
        PidMode: 'host',
        CapAdd: ['SYS_ADMIN', 'SYS_PTRACE'],
        SecurityOpt: ['apparmor=unconfined'],
        AutoRemove: true,
      },
      abortSignal: signal,
    } as Dockerode.ContainerCreateOptions);
    try {
      await container.start({ abortSignal: signal });
      // the exec'd shell's own parent may be a short-lived runc; the main process's is the shim
      const pid = (await container.inspect({ abortSignal: signal } as object)).State.Pid;
      if (!(pid > 0)) throw new PrepareStepError('io', `the helper container stopped at once (expected it to run ${image} with sleep)`);
      return await fn((args) => execInContainer(docker, container.id, ['sh', '-c', ENTER_SCRIPT, 'enter', String(pid), WORK_SCRIPT, ...args], signal));
    } finally {
      // never awaited here: removal waits for the helper's processes, which may be stuck on storage
      helpersPending++;
      const removal = container
        .remove({ force: true, v: false, abortSignal: AbortSignal.timeout(removeTimeoutMs) })
        .catch(() => undefined)
        .finally(() => {
          helpersPending--;
          removals.delete(removal);
        });
      removals.add(removal);
    }
  }

  /** Whichever comes first: the work, or `timeout` at the deadline (a late result is ignored). */
  async function bounded<T>(timeoutMs: number, signal: AbortSignal | undefined, onTimeout: (cancelled: boolean) => T, work: (s: AbortSignal) => Promise<T>): Promise<T> {
    const deadline = AbortSignal.timeout(timeoutMs);
    const combined = signal ? AbortSignal.any([signal, deadline]) : deadline;
    const timedOutResult = new Promise<T>((resolve) => {
      const onAbort = (): void => {
        timedOut++;
        resolve(onTimeout(signal?.aborted === true));
      };
      if (combined.aborted) onAbort();
      else combined.addEventListener('abort', onAbort, { once: true });
    });
    const done = work(combined);
    return Promise.race([timedOutResult, done.then((r) => (combined.aborted ? timedOutResult : r))]);
  }

  async function prepareWork(req: PrepareRequest, stageDir: string, signal: AbortSignal): Promise<PrepareResult> {
    const names = componentsBelow(req.hostPath, req.fixedPrefix);
    return withHelper(req.timeoutMs, signal, async (run) => {
      const prefix = await run(['prefix', req.fixedPrefix]);
      if (prefix.code === 2) {
        throw new PrepareStepError('missing', `fixed prefix ${JSON.stringify(req.fixedPrefix)} does not exist on the engine host (expected the administrator to create it first; Tether creates only the part below it)`);
      }
      if (prefix.code !== 0) throw fromExit(prefix, `resolving fixed prefix ${JSON.stringify(req.fixedPrefix)}`);
      const realPrefix = line(prefix.stdout, 'real');
      if (!realPrefix) throw new PrepareStepError('io', `resolving fixed prefix ${JSON.stringify(req.fixedPrefix)}: the helper gave no path (output: ${prefix.stdout})`);
      // before creating anything: the real prefix and the planned path must pass the policy
      policyOrThrow(realPrefix, `fixed prefix ${JSON.stringify(req.fixedPrefix)} resolves to ${JSON.stringify(realPrefix)}`);
      policyOrThrow(names.reduce(joinPath, realPrefix), `host path ${JSON.stringify(req.hostPath)}`);
      const make = await run([
        'make', realPrefix, String(req.uid ?? DEFAULT_OWNER), String(req.gid ?? DEFAULT_OWNER),
        req.uid === null ? '' : String(req.uid), req.gid === null ? '' : String(req.gid),
        req.skipCheck ? '1' : '0', stageDir, newStageName(), ...names,
      ]);
      if (make.code !== 0) throw fromExit(make, `preparing ${JSON.stringify(req.hostPath)}`);
      const lines = make.stdout.split('\n');
      const created = lines.filter((l) => l.startsWith('created ')).map((l) => l.slice('created '.length));
      const realPath = line(make.stdout, 'real');
      const identity = parseIdentity(line(make.stdout, 'identity'));
      const source = line(make.stdout, 'stage');
      if (!realPath || !identity || !source) throw new PrepareStepError('io', `preparing ${JSON.stringify(req.hostPath)}: the helper gave no real path, identity or stage (output: ${make.stdout})`);
      try {
        policyOrThrow(realPath, `host path ${JSON.stringify(req.hostPath)} resolves to ${JSON.stringify(realPath)}`);
      } catch (err) {
        await run(['unstage', source]).catch(() => undefined);
        throw err;
      }
      return { ok: true, realPath, created, source, identity };
    });
  }

  async function verifyWork(pid: number, checks: BindCheck[], signal: AbortSignal): Promise<VerifyResult> {
    return withHelper(HOUSEKEEPING_MS, signal, async (run) => {
      const findings: VerifyFinding[] = [];
      for (const check of checks) {
        const names = check.target.split('/').filter((n) => n !== '' && n !== '.');
        if (names.includes('..')) {
          findings.push({ ...check, found: null, ok: false, message: `bind target ${JSON.stringify(check.target)} has a ".." segment` });
          continue;
        }
        const r = await run(['verify', String(pid), ...names]);
        const found = r.code === 0 ? parseIdentity(line(r.stdout, 'identity')) : null;
        if (found) findings.push({ ...check, found, ok: sameIdentity(found, check.expected) });
        else findings.push({ ...check, found: null, ok: false, message: r.stderr || `the helper exited ${r.code}` });
      }
      return { ok: true, findings } satisfies VerifyResult;
    });
  }

  function failed(err: unknown, what: string): { ok: false; class: FailureClass; message: string } {
    if (err instanceof PrepareStepError) return { ok: false, class: err.failureClass, message: err.message };
    return { ok: false, class: 'io', message: `${what} through a helper container failed: ${err instanceof Error ? err.message : String(err)}` };
  }

  async function housekeeping(args: string[], signal?: AbortSignal): Promise<void> {
    const s = signal ? AbortSignal.any([signal, AbortSignal.timeout(HOUSEKEEPING_MS)]) : AbortSignal.timeout(HOUSEKEEPING_MS);
    await withHelper(HOUSEKEEPING_MS, s, async (run) => {
      const r = await run(args);
      if (r.code !== 0) throw fromExit(r, args[0] ?? '');
    });
  }

  return {
    kind: 'engine',
    stats: () => ({ helpersPending, timedOut }),
    async prepare(req, signal) {
      const invalid = validateRequest(req, policy);
      if (invalid) return invalid;
      let stageDir: string;
      try {
        stageDir = sessionStageDir(stagingRoot, namespace, req.session);
      } catch (err) {
        return failed(err, 'staging');
      }
      return bounded<PrepareResult>(
        req.timeoutMs,
        signal,
        (cancelled) => ({
          ok: false,
          class: 'timeout',
          message: cancelled
            ? `host preparation of ${JSON.stringify(req.hostPath)} was abandoned: the launch was cancelled`
            : `host preparation of ${JSON.stringify(req.hostPath)} on the engine host did not finish within ${req.timeoutMs} ms; the storage may be hanging`,
        }),
        (s) => prepareWork(req, stageDir, s).catch((err: unknown) => failed(err, `host preparation of ${JSON.stringify(req.hostPath)}`)),
      );
    },
    async verify(pid, checks, timeoutMs, signal) {
      if (checks.length === 0) return { ok: true, findings: [] };
      return bounded<VerifyResult>(
        timeoutMs,
        signal,
        () => ({ ok: false, class: 'timeout', message: `verifying the mounts of container process ${pid} on the engine host did not finish within ${timeoutMs} ms; a mapped storage may be hanging` }),
        (s) => verifyWork(pid, checks, s).catch((err: unknown) => failed(err, `verifying the mounts of container process ${pid}`)),
      );
    },
    async release(session) {
      try {
        await housekeeping(['release', sessionStageDir(stagingRoot, namespace, session)]);
      } catch {
        // left for sweep(): a stage left behind holds no container and no user can reach it
      }
    },
    async sweep(signal) {
      const list = await docker.listContainers({ all: true, filters: { label: [`${HELPER_LABEL}=hostprep`, `${HELPER_NAMESPACE_LABEL}=${namespace}`] }, abortSignal: signal } as Dockerode.ContainerListOptions);
      await Promise.all(list.map((c) => docker.getContainer(c.Id).remove({ force: true, v: false, abortSignal: signal }).catch(() => undefined)));
      await housekeeping(['sweep', `${stagingRoot}/${namespace}`], signal);
      await Promise.all([...removals]);
      return list.length;
    },
    async close() {
      // helpers are per operation: wait (bounded by removeTimeoutMs) for their removal
      await Promise.all([...removals]);
    },
  };
}
