// A session's task: the one container Swarm runs for its service. Tether waits for it to run
// (or to be rejected) and reads its node, state and error; Swarm never retries it
// (RestartPolicy none).
import type Dockerode from 'dockerode';
import { AbortedError, BindSourceMissingError, ImageNotFoundError, RuntimeError } from '../errors.js';
import { BIND_SOURCE_MISSING } from '../docker/translate-error.js';
import { callEngine, filtersQuery } from './engine-call.js';
import type { SwarmTask, TaskState } from './swarm-types.js';

const FINAL: ReadonlySet<TaskState> = new Set(['complete', 'shutdown', 'failed', 'rejected', 'remove', 'orphaned']);
const NOT_YET: ReadonlySet<TaskState> = new Set(['new', 'allocated', 'pending', 'assigned', 'accepted', 'preparing', 'ready', 'starting']);
const IMAGE_MISSING = /No such image|manifest unknown|not found: manifest|repository does not exist|pull access denied/i;
const REGISTRY_REFUSED = /unauthorized|authentication required|no basic auth credentials/i;
/** the scheduler's words when no node satisfies the constraints (the pinned node is drained, paused, down or unknown) */
const NO_NODE = /no suitable node/i;
/** a failure after the container ran, as opposed to one that kept it from starting */
const RAN_AND_EXITED = /non-zero exit|task: non-zero/i;

export function isFinal(state: TaskState): boolean {
  return FINAL.has(state);
}

/** The task's state in the single engine's words (ContainerInfo.state): created, running, exited, ... */
export function containerStateOf(task: SwarmTask | undefined, replicas: number): string {
  if (!task) return replicas === 0 ? 'exited' : 'created';
  const s = task.Status.State;
  if (s === 'running') return 'running';
  if (NOT_YET.has(s)) return 'created';
  if (s === 'rejected') return 'rejected';
  // the node stopped answering: the container may still run there
  if (s === 'orphaned') return 'lost';
  if (s === 'remove') return 'removing';
  return 'exited';
}

export async function tasksOf(docker: Dockerode, serviceIds: string[], signal?: AbortSignal): Promise<SwarmTask[]> {
  if (serviceIds.length === 0) return [];
  return callEngine<SwarmTask[]>(docker, { method: 'GET', path: '/tasks', query: filtersQuery({ service: serviceIds }), signal }, `list the tasks of service ${serviceIds.join(',')}`);
}

/** The newest task of each service (a started-again service has older, finished ones too). */
export function newestTasks(tasks: SwarmTask[]): Map<string, SwarmTask> {
  const newest = new Map<string, SwarmTask>();
  for (const t of tasks) {
    const seen = newest.get(t.ServiceID);
    if (!seen || t.Version.Index > seen.Version.Index) newest.set(t.ServiceID, t);
  }
  return newest;
}

/** The task's failure as the runtime's own error; `what` says which call, the node is named. */
export function taskError(task: SwarmTask, what: string): RuntimeError {
  const err = task.Status.Err ?? task.Status.Message ?? task.Status.State;
  const where = task.NodeID ? ` on node ${task.NodeID}` : '';
  const msg = `swarm: ${what}: task ${task.Status.State}${where} (${err})`;
  if (BIND_SOURCE_MISSING.test(err)) return new BindSourceMissingError(`${msg}: a bind source does not exist on that node`);
  if (REGISTRY_REFUSED.test(err)) return new RuntimeError('pull_failed', `${msg}: the node could not pull the image; check the image's registry credentials`);
  if (IMAGE_MISSING.test(err)) return new ImageNotFoundError(`${msg}: the node could not find or pull the image; every node pulls it from a registry`);
  if (NO_NODE.test(err)) return new RuntimeError('unavailable', `${msg}: the chosen node cannot take it (drained, paused, down or unknown)`);
  return new RuntimeError('engine', msg);
}

/**
 * A wait the caller gave no deadline still ends: Swarm keeps a task it cannot place or start
 * pending for ever. Launches always pass their own (the mappings' timeouts).
 */
export const DEFAULT_WAIT_MS = 120_000;

function sleep(ms: number, signal: AbortSignal | undefined, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new AbortedError(`swarm: ${what}: aborted while waiting for the task`, { cause: signal.reason }));
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new AbortedError(`swarm: ${what}: aborted while waiting for the task`, { cause: signal?.reason }));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** how often a launch asks for its task's state: Swarm answers no events for tasks */
export const TASK_POLL_MS = 25;

/**
 * The tasks of the services waited for, asked for in one call: at most one list call per
 * engine client is in flight, and every wait that asks meanwhile joins the next one. A
 * hundred concurrent launches thus poll the manager as often as one does (a task list call
 * per poll interval), however short the interval.
 */
class TaskPoll {
  private next: { ids: Set<string>; answer: Promise<SwarmTask[]> } | null = null;
  private inFlight: Promise<unknown> = Promise.resolve();

  constructor(private readonly docker: Dockerode) {}

  async tasksOf(serviceId: string): Promise<SwarmTask[]> {
    if (!this.next) {
      const ids = new Set<string>();
      const answer = this.inFlight.then(() => {
        this.next = null;
        return tasksOf(this.docker, [...ids], AbortSignal.timeout(DEFAULT_WAIT_MS));
      });
      this.inFlight = answer.catch(() => undefined);
      this.next = { ids, answer };
    }
    this.next.ids.add(serviceId);
    return (await this.next.answer).filter((t) => t.ServiceID === serviceId);
  }
}

/** the answer, or the abort's error as soon as the signal fires (the shared call goes on for the others) */
function untilAborted<T>(answer: Promise<T>, signal: AbortSignal, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(new AbortedError(`swarm: ${what}: aborted while waiting for the task`, { cause: signal.reason }));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    const done = (): void => signal.removeEventListener('abort', onAbort);
    answer.then((v) => { done(); resolve(v); }, (err: unknown) => { done(); reject(err); });
  });
}

const polls = new WeakMap<Dockerode, TaskPoll>();

function pollOf(docker: Dockerode): TaskPoll {
  let poll = polls.get(docker);
  if (!poll) polls.set(docker, (poll = new TaskPoll(docker)));
  return poll;
}

/**
 * Polls the service's newest task (ignoring the ones in `older`) until it runs. A task that
 * ran and already exited counts as started (as a single engine's start does); a rejected one,
 * one that failed before running, or one no node can take is the call's error. Bounded by the
 * signal (the caller's deadline: a mapping's timeout), else by DEFAULT_WAIT_MS.
 */
export async function waitUntilRunning(docker: Dockerode, serviceId: string, what: string, given?: AbortSignal, older: ReadonlySet<string> = new Set()): Promise<SwarmTask> {
  const signal = given ?? AbortSignal.timeout(DEFAULT_WAIT_MS);
  const poll = pollOf(docker);
  for (;;) {
    const tasks = await untilAborted(poll.tasksOf(serviceId), signal, what);
    const task = newestTasks(tasks.filter((t) => !older.has(t.ID))).get(serviceId);
    if (task) {
      const s = task.Status.State;
      if (s === 'running') return task;
      if (s === 'complete' || (s === 'failed' && RAN_AND_EXITED.test(task.Status.Err ?? ''))) return task;
      if (isFinal(s)) throw taskError(task, what);
      if (s === 'pending' && NO_NODE.test(task.Status.Err ?? '')) throw taskError(task, what);
    }
    await sleep(TASK_POLL_MS, signal, what);
  }
}

/** Polls until no task of the service is still running or on its way there. */
export async function waitUntilStopped(docker: Dockerode, serviceId: string, what: string, given?: AbortSignal): Promise<void> {
  const signal = given ?? AbortSignal.timeout(DEFAULT_WAIT_MS);
  let delay = 25;
  for (;;) {
    const tasks = await tasksOf(docker, [serviceId], signal);
    if (tasks.every((t) => isFinal(t.Status.State))) return;
    await sleep(delay, signal, what);
    delay = Math.min(delay * 2, 200);
  }
}
