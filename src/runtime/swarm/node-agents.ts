// Exec and dial on a swarm: the manager's engine cannot exec into a container on another node
// nor reach its network, so both go to the agent of the node the session's task runs on
// (`tether agent`, src/agent): the task names the node and its container there, the node its
// address. Without agents configured both refuse, saying so.
import type { Duplex } from 'node:stream';
import type Dockerode from 'dockerode';
import type { ContainerExec, ExecOptions } from '../types.js';
import { AbortedError, NotFoundError, RuntimeError } from '../errors.js';
import { callEngine } from './engine-call.js';
import { Remembered } from '../remembered.js';
import { newestTasks, tasksOf } from './tasks.js';
import type { SwarmNode } from './swarm-types.js';

/** What the runtime needs of a node's agent (src/agent/client.ts AgentClient has it). */
export interface NodeAgent {
  readonly url: string;
  exec(containerId: string, opts: ExecOptions): Promise<ContainerExec>;
  dial(containerId: string, port: number, signal?: AbortSignal): Promise<Duplex>;
}

/** nodeId -> its agent (src/agent/client.ts AgentDirectory is one); undefined when the node has none to reach. */
export interface NodeAgents {
  forNode(node: { id: string; addr: string | null }): NodeAgent | undefined;
}

/** Where a service's running task is: its node and its container there. */
interface Place { node: { id: string; addr: string | null; hostname: string }; containerId: string }

async function locate(docker: Dockerode, serviceId: string, what: string, signal?: AbortSignal): Promise<Place> {
  const task = newestTasks(await tasksOf(docker, [serviceId], signal)).get(serviceId);
  if (!task) throw new NotFoundError(`swarm: ${what}: service ${serviceId} has no task`);
  const containerId = task.Status.ContainerStatus?.ContainerID;
  if (task.Status.State !== 'running' || !task.NodeID || !containerId) {
    throw new NotFoundError(`swarm: ${what}: the task of service ${serviceId} is ${task.Status.State}, not running`);
  }
  const node = await callEngine<SwarmNode>(docker, { method: 'GET', path: `/nodes/${encodeURIComponent(task.NodeID)}`, signal }, `inspect node ${task.NodeID}`);
  return { node: { id: node.ID, addr: node.Status.Addr ?? null, hostname: node.Description.Hostname }, containerId };
}

/**
 * The agent's own errors (src/agent/client.ts) as the runtime's: it answered "no such
 * container" (404) -> not found; anything else (refused, unreachable, not authentic) ->
 * unavailable, its words kept.
 */
function fromAgent(err: unknown, what: string, signal?: AbortSignal): RuntimeError {
  if (err instanceof RuntimeError) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (signal?.aborted) return new AbortedError(`swarm: ${what}: aborted (${message})`, { cause: err });
  if ((err as { status?: unknown } | null)?.status === 404) return new NotFoundError(`swarm: ${what}: ${message}`, { cause: err });
  return new RuntimeError('unavailable', `swarm: ${what}: ${message}`, { cause: err });
}

/**
 * Exec and dial through the agent of the session's node. The place of a service's task is
 * looked up once (remembered.ts: locating costs two manager calls, about 6 ms of a 14 ms
 * proxied request through the agent in the lab) and forgotten when a call there fails; a
 * remembered place names a container id, which no other session can ever have.
 */
export class NodeAgentCalls {
  private readonly places = new Remembered<Place>();

  constructor(private readonly docker: Dockerode, private readonly agents: NodeAgents) {}

  exec(serviceId: string, opts: ExecOptions): Promise<ContainerExec> {
    return this.through(serviceId, `exec in service ${serviceId}`, undefined, (agent, containerId) => agent.exec(containerId, opts));
  }

  dial(serviceId: string, port: number, signal?: AbortSignal): Promise<Duplex> {
    return this.through(serviceId, `service ${serviceId} port ${port}`, signal, (agent, containerId) => agent.dial(containerId, port, signal));
  }

  forget(serviceId: string): void {
    this.places.forget(serviceId);
  }

  private async through<T>(serviceId: string, what: string, signal: AbortSignal | undefined, call: (agent: NodeAgent, containerId: string) => Promise<T>): Promise<T> {
    const place = await this.places.get(serviceId, () => locate(this.docker, serviceId, what, signal));
    const agent = this.agents.forNode(place.node);
    if (!agent) {
      this.places.forget(serviceId);
      throw new RuntimeError('unavailable', `swarm: ${what}: node ${place.node.hostname} (${place.node.id}) has no agent to reach (no address)`);
    }
    try {
      return await call(agent, place.containerId);
    } catch (err) {
      // the container may be gone (a task started again has a new one): locate it again next time
      if (!signal?.aborted) this.places.forget(serviceId);
      throw fromAgent(err, what, signal);
    }
  }
}
