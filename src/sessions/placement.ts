// Placement: where a new session may run, in the order to try. The single engine: one
// target, itself. A swarm (placement-swarm.ts): every node that is ready and active, whose
// agent answers and whose zone the image allows, least loaded first (Kasm's default policy);
// every other node with the reason it was refused, so a launch nothing can take says why per node.
import type { HostPreparer } from '../hostprep/types.js';
import type { ImageRecord, SessionNode } from '../store/types.js';

export interface PlacementTarget {
  /** null on the single engine */
  node: SessionNode | null;
  /** host preparation on that node (its agent's, on a swarm) */
  preparer: HostPreparer;
  /** swarm: whether the node's agent answers now (asked again after a failure there) */
  stillAnswers?: () => Promise<boolean>;
}

export interface RefusedNode {
  node: SessionNode;
  /** e.g. "drained", "down", "agent did not answer (...)", "zone-b not in the image's zones [zone-a]" */
  reason: string;
}

export interface Candidates {
  /** eligible, by hostname (the launch orders them by load: byLoad) */
  targets: PlacementTarget[];
  refused: RefusedNode[];
}

/** What `tether node list` shows of an agent: it answers, or why not; none on the single engine. */
export type AgentState = { state: 'answers'; version: string } | { state: 'not_answering'; reason: string } | { state: 'none'; reason: string };

export interface NodeStatus extends SessionNode {
  /** Swarm's own: active, pause or drain (the single engine: active) */
  availability: string;
  /** Swarm's own: ready, down, disconnected or unknown (the single engine: ready) */
  state: string;
  agent: AgentState;
}

export interface Placement {
  /** single: one engine, every session on its one node; swarm: sessions recorded on their node */
  readonly kind: 'single' | 'swarm';
  /** The targets a session of this image may run on and the nodes refused, with why. */
  candidates(image: ImageRecord, signal?: AbortSignal): Promise<Candidates>;
  /** Every node as it is now, agents asked (node list, reconcile). */
  nodes(signal?: AbortSignal): Promise<NodeStatus[]>;
  /** The main process of a session's running container in its node's pid namespace; null when not running. */
  pidOf(containerId: string, signal?: AbortSignal): Promise<number | null>;
}

/** The node states in which a node's sessions are lost: it does not answer the managers. */
export const UNREACHABLE_NODE_STATES: readonly string[] = ['down', 'disconnected'];

/** The single engine: one target, this host, the server's own preparer. */
export function singleEnginePlacement(
  preparer: HostPreparer,
  inspect: (id: string, signal?: AbortSignal) => Promise<{ pid: number | null } | undefined>,
  hostname: string,
): Placement {
  return {
    kind: 'single',
    async candidates() {
      return { targets: [{ node: null, preparer }], refused: [] };
    },
    async nodes() {
      return [{ id: 'local', hostname, zone: null, availability: 'active', state: 'ready', agent: { state: 'none', reason: 'single engine: host preparation runs in this server' } }];
    },
    async pidOf(id, signal) {
      return (await inspect(id, signal))?.pid ?? null;
    },
  };
}

/** Why a node is not eligible before its agent is asked; null when it may be. */
export function refusalOf(n: { state: string; availability: string; zone: string | null }, zones: readonly string[]): string | null {
  if (n.state !== 'ready') return n.state;
  if (n.availability === 'drain') return 'drained';
  if (n.availability === 'pause') return 'paused';
  if (n.availability !== 'active') return n.availability;
  if (zones.length > 0 && (n.zone === null || !zones.includes(n.zone))) {
    return `${n.zone ?? 'no zone'} not in the image's zones [${zones.join(', ')}]`;
  }
  return null;
}

/** Least loaded first; ties by hostname, then id, so the order never depends on the engine's. */
export function byLoad<T extends { node: SessionNode | null }>(targets: T[], load: ReadonlyMap<string, number>): T[] {
  const n = (t: T) => (t.node ? (load.get(t.node.id) ?? 0) : 0);
  return [...targets].sort((a, b) => n(a) - n(b) || (a.node?.hostname ?? '').localeCompare(b.node?.hostname ?? '') || (a.node?.id ?? '').localeCompare(b.node?.id ?? ''));
}

/** The one message of a launch nothing can take: every node with its reason. */
export function noNodeMessage(reasons: Array<{ node: string; reason: string }>): string {
  if (reasons.length === 0) return 'no node can take this session: the swarm has no nodes';
  return `no node can take this session: ${reasons.map((r) => `${r.node}: ${r.reason}`).join('; ')}`;
}
