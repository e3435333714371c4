// Host preparation on an engine Tether does not share a host with (remote DOCKER_HOST, later
// swarm nodes): a short-lived helper container per request, with the host's root bind-mounted
// at /host (a fresh container sees the host's mounts as they are now), driven by `exec` with
// argument arrays running a constant busybox script. Same deadline rule as the local workers:
// at the deadline the answer is `timeout`, the exec is dropped and its late result ignored.
import type Dockerode from 'dockerode';
import { checkHostPath, DEFAULT_POLICY, type HostPathPolicy } from '../mappings/index.js';
import { DEFAULT_OWNER, componentsBelow } from './prepare-steps.js';
import { PrepareStepError } from './classify.js';
import { ENGINE_SCRIPT, EXIT_CLASSES, HOST_ROOT_IN_HELPER } from './engine-script.js';
import { execInContainer, type ExecResult } from './engine-exec.js';
import type { HostPreparer, PrepareRequest, PrepareResult } from './types.js';
import { validateRequest } from './validate-request.js';

export const HELPER_LABEL = 'tether.helper';

export interface EngineHostPreparerOptions {
  docker: Dockerode;
  /** an image on that engine with busybox sh, mkdir, chown, stat, find, readlink */
  image: string;
  policy?: HostPathPolicy;
  /** how long removing a helper container may take before it is left for sweep() (default 30 s) */
  removeTimeoutMs?: number;
}

export interface EngineHostPreparer extends HostPreparer {
  readonly kind: 'engine';
  /** helper containers whose removal has not finished (stuck on hung storage, or in progress) */
  stats(): { helpersPending: number; timedOut: number };
  /** removes every helper container left on the engine (e.g. after a crash) */
  sweep(signal?: AbortSignal): Promise<number>;
}

function joinPath(dir: string, name: string): string {
  return dir === '/' ? `/${name}` : `${dir}/${name}`;
}

function fromExit(r: ExecResult, step: string): PrepareStepError {
  const cls = EXIT_CLASSES[r.code] ?? 'io';
  return new PrepareStepError(cls, `${step} on the engine host failed (exit ${r.code}): ${r.stderr || r.stdout}`);
}

export function createEngineHostPreparer(opts: EngineHostPreparerOptions): EngineHostPreparer {
  const { docker, image } = opts;
  const policy = opts.policy ?? DEFAULT_POLICY;
  const removeTimeoutMs = opts.removeTimeoutMs ?? 30_000;
  let helpersPending = 0;
  let timedOut = 0;

  const policyOrThrow = (path: string, what: string): void => {
    const v = checkHostPath(path, policy);
    if (!v.ok) throw new PrepareStepError('policy', `${what}: ${v.reason}; ${v.suggestion}`);
  };

  async function work(req: PrepareRequest, signal: AbortSignal): Promise<PrepareResult> {
    const names = componentsBelow(req.hostPath, req.fixedPrefix);
    const container = await docker.createContainer({
      Image: image,
      Cmd: ['sleep', '3600'],
      Labels: { [HELPER_LABEL]: 'hostprep' },
      HostConfig: {
        NetworkMode: 'none',
        Mounts: [{ Type: 'bind', Source: '/', Target: HOST_ROOT_IN_HELPER, ReadOnly: false }],
      },
      abortSignal: signal,
    } as Dockerode.ContainerCreateOptions);
    try {
      await container.start({ abortSignal: signal });
      const run = (args: string[]): Promise<ExecResult> => execInContainer(docker, container.id, ['sh', '-c', ENGINE_SCRIPT, 'hostprep', ...args], signal);
      const prefix = await run(['prefix', req.fixedPrefix]);
      if (prefix.code === 2) {
        throw new PrepareStepError('missing', `fixed prefix ${JSON.stringify(req.fixedPrefix)} does not exist on the engine host (expected the administrator to create it first; Tether creates only the part below it)`);
      }
      if (prefix.code !== 0) throw fromExit(prefix, `resolving fixed prefix ${JSON.stringify(req.fixedPrefix)}`);
      const realPrefix = prefix.stdout.trim();
      // before creating anything: the real prefix and the planned path must pass the policy
      policyOrThrow(realPrefix, `fixed prefix ${JSON.stringify(req.fixedPrefix)} resolves to ${JSON.stringify(realPrefix)}`);
      policyOrThrow(names.reduce(joinPath, realPrefix), `host path ${JSON.stringify(req.hostPath)}`);
      const make = await run([
        'make', realPrefix, String(req.uid ?? DEFAULT_OWNER), String(req.gid ?? DEFAULT_OWNER),
        req.uid === null ? '' : String(req.uid), req.gid === null ? '' : String(req.gid), ...names,
      ]);
      if (make.code !== 0) throw fromExit(make, `preparing ${JSON.stringify(req.hostPath)}`);
      const lines = make.stdout.split('\n');
      const created = lines.filter((l) => l.startsWith('created ')).map((l) => l.slice('created '.length));
      const realLine = lines.find((l) => l.startsWith('real '));
      if (!realLine) throw new PrepareStepError('io', `preparing ${JSON.stringify(req.hostPath)}: the helper gave no real path (output: ${make.stdout})`);
      const realPath = realLine.slice('real '.length);
      policyOrThrow(realPath, `host path ${JSON.stringify(req.hostPath)} resolves to ${JSON.stringify(realPath)}`);
      return { ok: true, realPath, created };
    } finally {
      // never awaited: removal waits for the helper's processes, which may be stuck on storage
      helpersPending++;
      void container
        .remove({ force: true, v: false, abortSignal: AbortSignal.timeout(removeTimeoutMs) })
        .catch(() => undefined)
        .finally(() => helpersPending--);
    }
  }

  return {
    kind: 'engine',
    stats: () => ({ helpersPending, timedOut }),
    async prepare(req, signal) {
      const invalid = validateRequest(req, policy);
      if (invalid) return invalid;
      if (req.skipCheck) return { ok: true, realPath: req.hostPath, created: [] };
      const deadline = AbortSignal.timeout(req.timeoutMs);
      const combined = signal ? AbortSignal.any([signal, deadline]) : deadline;
      const timedOutResult = new Promise<PrepareResult>((resolve) => {
        const onAbort = (): void => {
          timedOut++;
          resolve({
            ok: false,
            class: 'timeout',
            message: signal?.aborted
              ? `host preparation of ${JSON.stringify(req.hostPath)} was abandoned: the launch was cancelled`
              : `host preparation of ${JSON.stringify(req.hostPath)} on the engine host did not finish within ${req.timeoutMs} ms; the storage may be hanging`,
          });
        };
        if (combined.aborted) onAbort();
        else combined.addEventListener('abort', onAbort, { once: true });
      });
      const done = work(req, combined).catch((err: unknown): PrepareResult => {
        if (err instanceof PrepareStepError) return { ok: false, class: err.failureClass, message: err.message };
        return { ok: false, class: 'io', message: `host preparation of ${JSON.stringify(req.hostPath)} through a helper container failed: ${err instanceof Error ? err.message : String(err)}` };
      });
      // whichever comes first; a late result after the deadline is ignored
      return Promise.race([timedOutResult, done.then((r) => (combined.aborted ? timedOutResult : r))]);
    },
    async sweep(signal) {
      const list = await docker.listContainers({ all: true, filters: { label: [`${HELPER_LABEL}=hostprep`] }, abortSignal: signal } as Dockerode.ContainerListOptions);
      await Promise.all(list.map((c) => docker.getContainer(c.Id).remove({ force: true, v: false, abortSignal: signal }).catch(() => undefined)));
      return list.length;
    },
    async close() {
      // nothing long-lived: helper containers are per request
    },
  };
}
