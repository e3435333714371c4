// An in-process Runtime and HostPreparer for testing the session state machine at unit speed.
// The real ones are covered by their contract suites and the real-engine session suites; these
// exist so every transition, rollback and race can be driven on purpose in milliseconds.
// Both write to one shared call log, so a test can assert the order across the two.
import type { BindCheck, HostPreparer, PrepareRequest, PrepareResult, VerifyResult } from '../../src/hostprep/types.js';
import { RuntimeError } from '../../src/runtime/errors.js';
import type { ContainerInfo, ContainerSpec, Runtime } from '../../src/runtime/types.js';

/**
 * What a faked call does instead of answering at once:
 * - fail: rejects (runtime) / answers { ok: false } with this class (preparer);
 * - hang: waits until its signal aborts, then rejects as the real one would (aborted);
 * - late: rejects when its signal aborts, but the work still happens `ms` after the call
 *   (an engine that creates the container after the client gave up).
 */
export type Behaviour = { fail: string } | { hang: true } | { late: number };

/** "method:detail" entries, in call order, shared by the fake runtime and preparer. */
export type CallLog = string[];

interface FakeContainer {
  spec: ContainerSpec;
  running: boolean;
}

/**
 * Rejects when the signal aborts. Holds the event loop open meanwhile, as a real engine's
 * open socket does: AbortSignal.timeout alone does not, and the process would end mid-launch.
 */
function aborted(signal: AbortSignal | undefined, what: string): Promise<never> {
  return new Promise((_resolve, reject) => {
    const keepAlive = setInterval(() => undefined, 1_000);
    const fail = () => {
      clearInterval(keepAlive);
      reject(new RuntimeError('aborted', `fake runtime: ${what} aborted`));
    };
    if (signal?.aborted) return fail();
    signal?.addEventListener('abort', fail, { once: true });
  });
}

export class FakeRuntime implements Runtime {
  readonly kind = 'docker' as const;
  readonly local = true;
  readonly containers = new Map<string, FakeContainer>();
  /** per method: what its next calls do (kept until changed) */
  readonly behaviour: Partial<Record<'create' | 'start' | 'ensureImage', Behaviour>> = {};
  /** called when a method is entered, before its behaviour applies (e.g. to destroy mid-call) */
  onCall: (method: string) => void = () => undefined;
  private next = 1;

  constructor(readonly calls: CallLog = []) {}

  private enter(method: string, detail = ''): Behaviour | undefined {
    this.calls.push(detail ? `${method}:${detail}` : method);
    this.onCall(method);
    return (this.behaviour as Record<string, Behaviour | undefined>)[method];
  }

  async ensureImage(ref: string, opts: { signal?: AbortSignal }): Promise<void> {
    const b = this.enter('ensureImage', ref);
    if (b && 'fail' in b) throw new RuntimeError('pull_failed', `fake runtime: ${b.fail}`);
    if (b && 'hang' in b) await aborted(opts.signal, 'pull');
  }

  async create(spec: ContainerSpec, signal?: AbortSignal): Promise<string> {
    const b = this.enter('create', spec.sessionId);
    const id = `fake-${this.next++}`;
    if (b && 'fail' in b) throw new RuntimeError('engine', `fake runtime: ${b.fail}`);
    if (b && 'hang' in b) await aborted(signal, 'create');
    if (b && 'late' in b) {
      const t = setTimeout(() => this.containers.set(id, { spec, running: false }), b.late);
      t.unref();
      await aborted(signal, 'create');
    }
    this.containers.set(id, { spec, running: false });
    return id;
  }

  async start(id: string, signal?: AbortSignal): Promise<void> {
    const b = this.enter('start', id);
    if (b && 'fail' in b) throw new RuntimeError('engine', `fake runtime: ${b.fail}`);
    if (b && 'hang' in b) await aborted(signal, 'start');
    const c = this.containers.get(id);
    if (!c) throw new RuntimeError('not_found', `fake runtime: no container ${id}`);
    c.running = true;
  }

  async stop(id: string): Promise<void> {
    this.enter('stop', id);
    const c = this.containers.get(id);
    if (c) c.running = false;
  }

  async remove(id: string): Promise<void> {
    this.enter('remove', id);
    this.containers.delete(id);
  }

  async inspect(id: string): Promise<ContainerInfo | undefined> {
    this.enter('inspect', id);
    return this.info(id);
  }

  async list(): Promise<ContainerInfo[]> {
    this.enter('list');
    return [...this.containers.keys()].map((id) => this.info(id) as ContainerInfo);
  }

  async findBySession(sessionId: string): Promise<ContainerInfo | undefined> {
    this.enter('findBySession', sessionId);
    const id = [...this.containers].find(([, c]) => c.spec.sessionId === sessionId)?.[0];
    return id ? this.info(id) : undefined;
  }

  async exec(): Promise<never> {
    throw new RuntimeError('engine', 'fake runtime: exec is not faked');
  }

  async dial(): Promise<never> {
    throw new RuntimeError('engine', 'fake runtime: dial is not faked');
  }

  /** the containers of one session still "on the engine" */
  of(sessionId: string): string[] {
    return [...this.containers].filter(([, c]) => c.spec.sessionId === sessionId).map(([id]) => id);
  }

  private info(id: string): ContainerInfo | undefined {
    const c = this.containers.get(id);
    if (!c) return undefined;
    const s = c.spec;
    return {
      id, name: s.name, sessionId: s.sessionId, running: c.running, state: c.running ? 'running' : 'created',
      pid: c.running ? 4242 : null, host: null, mounts: s.mounts.map((m) => ({ ...m })), user: s.user ?? '',
      userId: s.userId, imageId: s.imageId, instanceId: s.instanceId ?? null, image: s.image,
      labels: { tether: '1', 'tether.session': s.sessionId }, limits: { nanoCpus: null, memory: null }, createdAt: new Date(0).toISOString(),
    };
  }
}

export class FakePreparer implements HostPreparer {
  /** per host path: what preparing it does */
  readonly behaviour = new Map<string, Behaviour>();
  /** bind targets whose verify reports another folder than the one prepared */
  readonly swapped = new Set<string>();
  /** sessions whose stages are staged and not yet released */
  readonly staged = new Set<string>();
  onPrepare: (req: PrepareRequest) => void = () => undefined;
  private nextIno = 100;

  constructor(readonly calls: CallLog = []) {}

  async prepare(req: PrepareRequest, signal?: AbortSignal): Promise<PrepareResult> {
    this.calls.push(`prepare:${req.hostPath}`);
    this.onPrepare(req);
    const b = this.behaviour.get(req.hostPath);
    if (b && 'fail' in b) return { ok: false, class: b.fail as 'io', message: `fake preparer: ${b.fail}` };
    if (b && 'hang' in b) {
      // the contract: never rejects and never waits past timeoutMs; answers a failure
      const deadline = AbortSignal.timeout(req.timeoutMs);
      await aborted(signal ? AbortSignal.any([signal, deadline]) : deadline, 'prepare').catch(() => undefined);
      return { ok: false, class: 'timeout', message: `fake preparer: ${signal?.aborted ? 'cancelled' : 'timed out'}` };
    }
    this.staged.add(req.session);
    const ino = this.nextIno++;
    return { ok: true, realPath: req.hostPath, created: [], source: `/fake-stage/${req.session}/${ino}`, identity: { dev: 1, ino } };
  }

  async verify(_pid: number, checks: BindCheck[]): Promise<VerifyResult> {
    this.calls.push(`verify:${checks.length}`);
    return {
      ok: true,
      findings: checks.map((c) => {
        const found = this.swapped.has(c.target) ? { dev: 9, ino: 9 } : c.expected;
        return { target: c.target, expected: c.expected, found, ok: found === c.expected };
      }),
    };
  }

  async release(session: string): Promise<void> {
    this.calls.push(`release:${session}`);
    this.staged.delete(session);
  }

  async sweep(): Promise<number> {
    return 0;
  }

  async close(): Promise<void> {}
}
