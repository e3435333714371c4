// Exec and dial on a swarm: the manager's engine cannot exec into a container on another node
// nor reach its network, so both go to the agent of the node the session's task runs on
// (`tether agent`, src/agent): the task names the node and its container there, the node its
// address. Without agents configured both refuse, saying so.
import type { Duplex } from 'node:stream';
import type Dockerode from 'dockerode';
import type { ContainerExec, ExecOptions } from '../types.js';
import { AbortedError, NotFoundError, RuntimeError } from '../errors.js';
import { callEngine } from './engine-call.js';
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

/** The agent of the node a service's running task is on, and the task's container id there. */
async function reach(docker: Dockerode, agents: NodeAgents, serviceId: string, what: string, signal?: AbortSignal): Promise<{ agent: NodeAgent; containerId: string }> {
  const task = newestTasks(await tasksOf(docker, [serviceId], signal)).get(serviceId);
  if (!task) throw new NotFoundError(`swarm: ${what}: service ${serviceId} has no task`);
  const containerId = task.Status.ContainerStatus?.ContainerID;
  if (task.Status.State !== 'running' || !task.NodeID || !containerId) {
    throw new NotFoundError(`swarm: ${what}: the task of service ${serviceId} is ${task.Status.State}, not running`);
  }
  const node = await callEngine<SwarmNode>(docker, { method: 'GET', path: `/nodes/${encodeURIComponent(task.NodeID)}`, signal }, `inspect node ${task.NodeID}`);
  const agent = agents.forNode({ id: node.ID, addr: node.Status.Addr ?? null });
  if (!agent) throw new RuntimeError('unavailable', `swarm: ${what}: node ${node.Description.Hostname} (${node.ID}) has no agent to reach (no address)`);
  return { agent, containerId };
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

export async function execOnNode(docker: Dockerode, agents: NodeAgents, serviceId: string, opts: ExecOptions): Promise<ContainerExec> {
  const what = `exec in service ${serviceId}`;
  const { agent, containerId } = await reach(docker, agents, serviceId, what);
  return agent.exec(containerId, opts).catch((err: unknown) => {
    throw fromAgent(err, what);
  });
}

export async function dialOnNode(docker: Dockerode, agents: NodeAgents, serviceId: string, port: number, signal?: AbortSignal): Promise<Duplex> {
  const what = `service ${serviceId} port ${port}`;
  const { agent, containerId } = await reach(docker, agents, serviceId, what, signal);
  return agent.dial(containerId, port, signal).catch((err: unknown) => {
    throw fromAgent(err, what, signal);
  });
}
