// A small pool of pre-started worker processes (worker.ts) with one rule: nothing waits on a
// worker past a request's deadline. A worker that missed one may have threads stuck in
// uninterruptible sleep on hung storage: it gets no more requests, and once its other requests
// are settled it is killed (SIGKILL, never awaited) and replaced. A worker whose request runs
// unusually long gets no new requests meanwhile, so healthy requests never queue behind a hang.
import { fork, type ChildProcess } from 'node:child_process';
import { describeWork, isWorkerResponse, WORKER_CONCURRENCY, type Work, type WorkerRequest, type WorkerResponse } from './protocol.js';
import type { WorkerScript } from './worker-script.js';

export interface PoolLogger {
  warn(obj: object, msg: string): void;
}

export interface WorkerPoolOptions {
  /** healthy workers kept started and ready (default 2): a worker takes ~50-300 ms to start */
  minWorkers?: number;
  /** cap on healthy workers; requests beyond their capacity queue (default 4) */
  maxWorkers?: number;
  /** a request running longer than this makes its worker suspect: no new requests go to it (default 500 ms) */
  suspectAfterMs?: number;
  logger?: PoolLogger;
}

export interface WorkerPoolStats {
  /** workers accepting requests */
  live: number;
  /** requests being worked on */
  busy: number;
  queued: number;
  /** requests answered `timeout` (deadline passed or aborted), since the pool started */
  timedOut: number;
  /** workers given up after a missed deadline, since the pool started */
  abandoned: number;
  /** given-up workers whose process has not exited yet (stuck on storage) */
  lingering: number;
}

export type PoolOutcome = { kind: 'done'; response: WorkerResponse } | { kind: 'timeout'; queued: boolean } | { kind: 'crashed'; message: string };

interface Worker {
  child: ChildProcess;
  jobs: Set<Job>;
  /** missed a deadline: gets nothing new, killed when its jobs are settled */
  tainted: boolean;
}

interface Job {
  id: number;
  request: Work;
  worker: Worker | null;
  sentAt: number;
  settled: boolean;
  settle: (o: PoolOutcome) => void;
}

export class WorkerPool {
  private readonly min: number;
  private readonly max: number;
  private readonly suspectAfterMs: number;
  private readonly logger: PoolLogger | undefined;
  private readonly workers = new Set<Worker>();
  private readonly queue: Job[] = [];
  private nextId = 1;
  private abandoned = 0;
  private timedOut = 0;
  private lingering = 0;
  private closed = false;

  constructor(
    private readonly script: WorkerScript,
    opts: WorkerPoolOptions = {},
  ) {
    this.min = Math.max(1, opts.minWorkers ?? 2);
    this.max = Math.max(this.min, opts.maxWorkers ?? 4);
    this.suspectAfterMs = opts.suspectAfterMs ?? 500;
    this.logger = opts.logger;
    this.replenish();
  }

  stats(): WorkerPoolStats {
    let busy = 0;
    let live = 0;
    for (const w of this.workers) {
      busy += w.jobs.size;
      if (!w.tainted) live++;
    }
    return { live, busy, queued: this.queue.length, timedOut: this.timedOut, abandoned: this.abandoned, lingering: this.lingering };
  }

  /** Runs the request; the outcome arrives by the deadline (timeout) or earlier; never rejects. */
  run(request: Work, timeoutMs: number, signal?: AbortSignal): Promise<PoolOutcome> {
    if (this.closed) return Promise.resolve({ kind: 'crashed', message: 'host preparation pool is closed' });
    return new Promise<PoolOutcome>((resolve) => {
      const job: Job = {
        id: this.nextId++,
        request,
        worker: null,
        sentAt: 0,
        settled: false,
        settle: (outcome) => {
          if (job.settled) return;
          job.settled = true;
          clearTimeout(deadline);
          clearTimeout(suspect);
          signal?.removeEventListener('abort', onDeadline);
          const w = job.worker;
          if (w) {
            w.jobs.delete(job);
            if (w.tainted && w.jobs.size === 0) this.kill(w);
          }
          resolve(outcome);
          this.dispatch();
        },
      };
      const onDeadline = (): void => {
        if (job.settled) return;
        const w = job.worker;
        if (w) this.taint(w, `request for ${describeWork(request)} passed its deadline of ${timeoutMs} ms`);
        else {
          const queued = this.queue.indexOf(job);
          if (queued >= 0) this.queue.splice(queued, 1);
        }
        this.timedOut++;
        job.settle({ kind: 'timeout', queued: w === null });
      };
      // queue time counts against the deadline: the timer starts now
      const deadline = setTimeout(onDeadline, Math.max(0, timeoutMs));
      // when the request runs unusually long, start a spare so others need not wait for it
      const suspect = setTimeout(() => this.dispatch(), this.suspectAfterMs + 1);
      suspect.unref();
      if (signal?.aborted) return onDeadline();
      signal?.addEventListener('abort', onDeadline, { once: true });
      this.queue.push(job);
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.settle({ kind: 'crashed', message: 'host preparation pool closed' });
    for (const w of [...this.workers]) {
      for (const job of [...w.jobs]) job.settle({ kind: 'crashed', message: 'host preparation pool closed' });
      this.kill(w);
    }
  }

  private isSuspect(w: Worker, now: number): boolean {
    for (const j of w.jobs) if (now - j.sentAt > this.suspectAfterMs) return true;
    return false;
  }

  private pick(now: number): Worker | undefined {
    let best: Worker | undefined;
    for (const w of this.workers) {
      if (w.tainted || w.jobs.size >= WORKER_CONCURRENCY || this.isSuspect(w, now)) continue;
      if (!best || w.jobs.size < best.jobs.size) best = w;
    }
    return best;
  }

  private dispatch(): void {
    if (this.closed) return;
    this.replenish();
    const now = Date.now();
    while (this.queue.length > 0) {
      const worker = this.pick(now) ?? (this.healthyCount(now) < this.max ? this.spawn() : undefined);
      if (!worker) return;
      const job = this.queue.shift()!;
      job.worker = worker;
      job.sentAt = now;
      worker.jobs.add(job);
      try {
        worker.child.send({ ...job.request, id: job.id } as WorkerRequest);
      } catch (err) {
        job.settle({ kind: 'crashed', message: `host preparation worker could not be reached: ${String(err)}` });
      }
    }
  }

  private healthyCount(now: number): number {
    let n = 0;
    for (const w of this.workers) if (!w.tainted && !this.isSuspect(w, now)) n++;
    return n;
  }

  private replenish(): void {
    if (this.closed) return;
    const now = Date.now();
    let idle = 0;
    for (const w of this.workers) if (!w.tainted && !this.isSuspect(w, now) && w.jobs.size === 0) idle++;
    for (let healthy = this.healthyCount(now); idle < this.min && healthy < this.max; idle++, healthy++) this.spawn();
  }

  private spawn(): Worker {
    const child = fork(this.script.path, [], { execArgv: this.script.execArgv, stdio: ['ignore', 'ignore', 'inherit', 'ipc'], serialization: 'json' });
    const worker: Worker = { child, jobs: new Set(), tainted: false };
    this.workers.add(worker);
    // workers must not keep Tether alive, nor block its exit
    child.unref();
    (child.channel as { unref?: () => void } | undefined)?.unref?.();
    child.on('message', (msg: unknown) => {
      if (!isWorkerResponse(msg)) return; // the ready message
      for (const job of worker.jobs) {
        if (job.id === msg.id) return job.settle({ kind: 'done', response: msg });
      }
      // a late answer to a request that already timed out: ignored
    });
    child.on('error', (err) => this.onWorkerGone(worker, `host preparation worker failed: ${err.message}`));
    child.on('exit', (code, sig) => this.onWorkerGone(worker, `host preparation worker exited (code ${code}, signal ${sig})`));
    return worker;
  }

  private onWorkerGone(worker: Worker, message: string): void {
    if (!this.workers.delete(worker)) return;
    for (const job of [...worker.jobs]) job.settle({ kind: 'crashed', message });
    this.dispatch();
  }

  private taint(worker: Worker, why: string): void {
    if (worker.tainted) return;
    worker.tainted = true;
    this.abandoned++;
    this.logger?.warn({ pid: worker.child.pid, abandoned: this.abandoned }, `hostprep: giving up worker ${worker.child.pid}: ${why}`);
  }

  /** SIGKILL and forget: a process stuck on storage dies only when the storage answers. */
  private kill(worker: Worker): void {
    if (!this.workers.delete(worker)) return;
    worker.child.removeAllListeners('message');
    if (worker.tainted) {
      this.lingering++;
      worker.child.once('exit', () => {
        this.lingering--;
      });
    }
    worker.child.kill('SIGKILL');
    try {
      worker.child.disconnect();
    } catch {
      // already disconnected
    }
    if (!this.closed) this.dispatch();
  }
}
