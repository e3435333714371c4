// The Swarm backend of Runtime: a session is a one-replica service (RestartPolicy none) pinned
// to the node the caller chose, talked to through a manager's engine API (DOCKER_HOST).
// Exec (the terminal) and dial (the app proxy) go to the agent of the session's node
// (node-agents.ts); without agents configured they answer with a clear "not yet on swarm".
import type Dockerode from 'dockerode';
import type { Runtime } from '../types.js';
import { RuntimeError } from '../errors.js';
import { connectEngine, engineVersion, type EngineVersion } from '../docker/engine.js';
import { DEFAULT_REMOVE_STOP_SECONDS } from '../docker/containers.js';
import { ensureImage, RegistryAuthMemo } from './images.js';
import { NodeAgentCalls, type NodeAgents } from './node-agents.js';
import { SwarmSessionNetwork } from './session-network.js';
import { listNodes, type NodeInfo } from './nodes.js';
import {
  createService, findBySession, inspectService, listTether, locateTask, removeService, startService, stopService,
} from './services.js';

export interface SwarmRuntime extends Runtime {
  readonly kind: 'swarm';
  /** the manager's engine client */
  readonly docker: Dockerode;
  engineVersion(signal?: AbortSignal): Promise<EngineVersion>;
  /** every node, with its zone, availability and state */
  nodes(signal?: AbortSignal): Promise<NodeInfo[]>;
  /**
   * the node a session's task runs on, its container id there and, while it runs, its main
   * process in that node's pid namespace (verify); undefined when it has none
   */
  locate(id: string, signal?: AbortSignal): Promise<{ nodeId: string; containerId: string; pid: number | null } | undefined>;
}

export interface SwarmRuntimeOptions {
  docker?: Dockerode;
  /** a manager's DOCKER_HOST-style address; default the local socket */
  dockerHost?: string;
  /** SIGTERM grace of a session's task when it is stopped or removed, fixed at create; default 2 s */
  stopGraceSeconds?: number;
  /** the node agents that exec and dial on the session's node; absent = neither is possible */
  agents?: NodeAgents;
}

export function createSwarmRuntime(opts: SwarmRuntimeOptions = {}): SwarmRuntime {
  const { docker } = connectEngine(opts);
  const stopGraceSeconds = opts.stopGraceSeconds ?? DEFAULT_REMOVE_STOP_SECONDS;
  const onNodes = opts.agents ? new NodeAgentCalls(docker, opts.agents) : undefined;
  const network = new SwarmSessionNetwork(docker);
  const auths = new RegistryAuthMemo();
  let version: Promise<EngineVersion> | undefined;
  const getVersion = (signal?: AbortSignal): Promise<EngineVersion> => {
    version ??= engineVersion(docker, signal).catch((err: unknown) => {
      version = undefined;
      throw err;
    });
    return version;
  };
  return {
    kind: 'swarm',
    // sessions run on the swarm's nodes, never "on this machine" as far as Tether knows
    local: false,
    docker,
    engineVersion: getVersion,
    nodes: (signal) => listNodes(docker, signal),
    locate: (id, signal) => locateTask(docker, id, signal),
    ensureImage: (ref, o) => ensureImage(docker, auths, ref, o),
    async create(spec, signal) {
      const { apiVersion } = await getVersion(signal);
      await network.ensure(signal);
      return createService(docker, spec, { stopGraceSeconds, apiVersion, auth: auths.get(spec.image) }, signal);
    },
    start: (id, signal) => startService(docker, id, signal),
    stop(id, o) {
      onNodes?.forget(id);
      return stopService(docker, id, o?.signal);
    },
    remove(id, signal) {
      onNodes?.forget(id);
      return removeService(docker, id, signal, stopGraceSeconds);
    },
    inspect: (id, signal) => inspectService(docker, id, signal),
    list: (signal) => listTether(docker, signal),
    findBySession: (sessionId, signal) => findBySession(docker, sessionId, signal),
    exec: async (id, o) => {
      if (!onNodes) throw new RuntimeError('unavailable', 'not yet on swarm without node agents: a shell in a session (web terminal, `tether session shell`) needs the agent of the node the session runs on');
      return onNodes.exec(id, o);
    },
    dial: async (id, port, signal) => {
      if (!onNodes) throw new RuntimeError('unavailable', "not yet on swarm without node agents: the app proxy reaches a session's container through the agent of its node");
      return onNodes.dial(id, port, signal);
    },
  };
}

export type { NodeInfo } from './nodes.js';
export type { NodeAgent, NodeAgents } from './node-agents.js';
