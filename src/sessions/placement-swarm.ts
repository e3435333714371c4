// Placement on a swarm: the nodes from the manager (Swarm's own availability and state, the
// tether.zone label), each eligible one's agent asked to answer (a ping, bounded and cached
// briefly so a burst of launches asks each agent once), least loaded first.
import type { HostPreparer } from '../hostprep/types.js';
import type { NodeInfo } from '../runtime/swarm/index.js';
import type { SessionNode } from '../store/types.js';
import { refusalOf, type AgentState, type Placement, type PlacementTarget, type RefusedNode } from './placement.js';

/** What placement needs of a node's agent (src/agent's AgentDirectory and AgentClient fit). */
export interface PlacementAgents {
  forNode(node: { id: string; addr: string | null }): { preparer: HostPreparer; ping(signal?: AbortSignal): Promise<{ version: string }> } | undefined;
}

/** What placement needs of the swarm runtime. */
export interface SwarmNodes {
  nodes(signal?: AbortSignal): Promise<NodeInfo[]>;
  /** pid: the task's ContainerStatus.PID while it runs (in that node's pid namespace) */
  locate(id: string, signal?: AbortSignal): Promise<{ nodeId: string; pid?: number | null } | undefined>;
}

export interface SwarmPlacementOptions {
  /** how long an agent has to answer a ping (default 2 s) */
  pingTimeoutMs?: number;
  /** how long an answer (or its absence) is reused (default 2 s) */
  pingCacheMs?: number;
  now?: () => number;
}

const nodeOf = (n: NodeInfo): SessionNode => ({ id: n.id, hostname: n.hostname, zone: n.zone });

export function swarmPlacement(runtime: SwarmNodes, agents: PlacementAgents, opts: SwarmPlacementOptions = {}): Placement {
  const pingTimeoutMs = opts.pingTimeoutMs ?? 2_000;
  const pingCacheMs = opts.pingCacheMs ?? 2_000;
  const now = opts.now ?? Date.now;
  const pings = new Map<string, { at: number; answer: Promise<AgentState> }>();

  /** the agent's answer, asked at most once per pingCacheMs per node and address */
  function ask(n: NodeInfo, signal?: AbortSignal): { agent: ReturnType<PlacementAgents['forNode']>; answer: Promise<AgentState> } {
    const agent = agents.forNode(n);
    if (!agent) return { agent, answer: Promise.resolve({ state: 'not_answering', reason: 'no agent known for this node (it has no address)' }) };
    const key = `${n.id} ${n.addr ?? ''}`;
    const cached = pings.get(key);
    if (cached && now() - cached.at < pingCacheMs) return { agent, answer: cached.answer };
    const bound = AbortSignal.timeout(pingTimeoutMs);
    const answer = agent.ping(signal ? AbortSignal.any([signal, bound]) : bound).then(
      (p): AgentState => ({ state: 'answers', version: p.version }),
      (err: unknown): AgentState => ({ state: 'not_answering', reason: err instanceof Error ? err.message : String(err) }),
    );
    // an answer cut short by the caller's own abort says nothing about the agent
    if (!signal) pings.set(key, { at: now(), answer });
    return { agent, answer };
  }

  return {
    kind: 'swarm',
    async candidates(image, signal) {
      const zones = image.zones ?? [];
      const refused: RefusedNode[] = [];
      const asked: Array<Promise<PlacementTarget | null>> = [];
      for (const n of await runtime.nodes(signal)) {
        const why = refusalOf(n, zones);
        if (why !== null) {
          refused.push({ node: nodeOf(n), reason: why });
          continue;
        }
        const { agent, answer } = ask(n);
        asked.push(answer.then((a) => {
          if (a.state === 'answers' && agent) {
            const stillAnswers = () => agent.ping(AbortSignal.timeout(pingTimeoutMs)).then(() => true, () => false);
            return { node: nodeOf(n), preparer: agent.preparer, stillAnswers };
          }
          refused.push({ node: nodeOf(n), reason: `agent did not answer (${a.state === 'answers' ? 'unknown' : a.reason})` });
          return null;
        }));
      }
      const targets = (await Promise.all(asked)).filter((t): t is PlacementTarget => t !== null);
      const byName = (a: { node: SessionNode | null }, b: { node: SessionNode | null }) => (a.node?.hostname ?? '').localeCompare(b.node?.hostname ?? '') || (a.node?.id ?? '').localeCompare(b.node?.id ?? '');
      return { targets: targets.sort(byName), refused: refused.sort(byName) };
    },
    async nodes(signal) {
      const list = await runtime.nodes(signal);
      return Promise.all(list.map(async (n) => {
        const agent: AgentState = n.state === 'ready' ? await ask(n).answer : { state: 'not_answering', reason: `node is ${n.state}` };
        return { ...nodeOf(n), availability: n.availability, state: n.state, agent };
      }));
    },
    async pidOf(id, signal) {
      return (await runtime.locate(id, signal))?.pid ?? null;
    },
  };
}
