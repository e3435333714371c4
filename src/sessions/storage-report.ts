// The storage health report as the API shows it (GET /storage/health): one definition for the
// server, the CLI and the web UI. Pure (no imports at all), because the web build bundles it.

export const STORAGE_VERDICTS = ['shared', 'not_shared', 'missing', 'hung', 'error'] as const;
/** shared: every node sees the same data; not_shared: some node does not see the marker (node-local there); missing / hung: on some node; error: could not be checked somewhere */
export type StorageVerdict = (typeof STORAGE_VERDICTS)[number];

export const MARKER_STATES = ['written', 'seen', 'not_seen'] as const;
/** what the marker showed on a node: the writer wrote it (and read it back), the others saw it or not */
export type MarkerState = (typeof MARKER_STATES)[number];

export interface StorageNode {
  /** the swarm node id; null on the single-engine runtime */
  id: string | null;
  hostname: string;
  zone: string | null;
}

export interface StorageUse {
  kind: 'image' | 'group' | 'profile';
  /** the image's or group's name (profile: the image's) */
  name: string;
  /** the host path as written in the mapping (tokens unexpanded) */
  host_path: string;
}

export interface StorageNodeResult {
  node: StorageNode;
  /** the prefix answered there (it may still not exist) */
  reachable: boolean;
  /** null when unknown (not reachable) */
  exists: boolean | null;
  /** how long the first probe (exists and answers) took there; null when the node was not probed */
  ms: number | null;
  marker: MarkerState | null;
  /** host preparation's failure class (e.g. timeout, policy, permission) of the first step that failed there */
  class: string | null;
  message: string | null;
}

export interface StoragePathHealth {
  /** the fixed prefix: the host path up to its first token */
  path: string;
  verdict: StorageVerdict;
  /** one sentence saying why */
  message: string;
  used_by: StorageUse[];
  nodes: StorageNodeResult[];
}

export interface StorageHealthReport {
  checked_at: string;
  timeout_ms: number;
  /** every path's verdict is shared */
  ok: boolean;
  /** every node, also those not checked (down: left out; agent not answering: every path is error there) */
  nodes: Array<StorageNode & { checked: boolean; message: string | null }>;
  paths: StoragePathHealth[];
}
