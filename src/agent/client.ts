// The server's view of one node agent (`tether agent`): what it can do on its own node, over a
// signed, mutually authenticated connection (see signing.ts). Placement, storage health, the
// terminal and the app proxy code against these types only; http-client.ts implements them.
import type { Duplex } from 'node:stream';
import type { HostPreparer } from '../hostprep/types.js';
import type { ContainerExec, ExecOptions } from '../runtime/types.js';

export interface AgentPing {
  /** the node's host name as the agent sees it */
  hostname: string;
  /** the Swarm node id of the agent's engine; null when that engine is not in a swarm */
  nodeId: string | null;
  /** the agent's Tether version */
  version: string;
  /** the engine's version, e.g. "26.1.5" */
  engine: string;
}

export interface AgentClient {
  /** http://<node addr>:7710 */
  readonly url: string;
  /** rejects with AgentUnavailableError on no answer, a refused credential, or an answer not signed with the join key */
  ping(signal?: AbortSignal): Promise<AgentPing>;
  /**
   * prepare/verify/release/sweep/probeStorage run on that node by the agent, with the same
   * deadlines and failure classes as the local preparer. prepare/verify/probeStorage never
   * reject: an agent that does not answer within the operation's timeout (plus a few seconds
   * on the wire) is a failure of class 'timeout', one that cannot be reached or whose answer is
   * not authentic a failure of class 'io', the message naming the agent. Profiles are not
   * offered (absent): the seed would have to travel to the node.
   */
  readonly preparer: HostPreparer;
  /**
   * A command in a container on that node (the node-local container id); rejects with
   * AgentRefusedError when the agent refuses (not a Tether container: 403, missing: 404),
   * AgentUnavailableError when it cannot be reached or its answer is not authentic.
   */
  exec(containerId: string, opts: ExecOptions): Promise<ContainerExec>;
  /** a raw TCP stream to the container's port on that node (same errors as exec) */
  dial(containerId: string, port: number, signal?: AbortSignal): Promise<Duplex>;
}

/** nodeId -> its agent; the server builds one from runtime.nodes() (Status.Addr) + the key */
export interface AgentDirectory {
  /** undefined when the node has no address to reach an agent at */
  forNode(node: { id: string; addr: string | null }): AgentClient | undefined;
}

export type AgentUnavailableReason = 'unreachable' | 'timeout' | 'unauthorized' | 'forged-answer' | 'bad-answer';

/**
 * The agent could not be asked: no answer in time, connection refused, our credential refused
 * (401: the keys differ), or an answer that does not carry a valid signature (never trusted).
 */
export class AgentUnavailableError extends Error {
  constructor(
    readonly url: string,
    readonly reason: AgentUnavailableReason,
    message: string,
  ) {
    super(`node agent ${url}: ${message}`);
    this.name = 'AgentUnavailableError';
  }
}

/** The agent answered, authentically, and said no (status 400, 403, 404, 409 ...). */
export class AgentRefusedError extends Error {
  constructor(
    readonly url: string,
    readonly status: number,
    message: string,
  ) {
    super(`node agent ${url} refused: ${message}`);
    this.name = 'AgentRefusedError';
  }
}
