// The shared-storage health report (GET /storage/health). The domain's TypeScript types
// (sessions/storage-report.ts, which computes it) and these schemas are checked to be the same.
import { z } from 'zod';
import { MARKER_STATES, STORAGE_VERDICTS, type StorageHealthReport as DomainReport } from '../../sessions/storage-report.js';

const StorageNode = z.object({ id: z.string().nullable().describe('the swarm node id; null on the single engine'), hostname: z.string(), zone: z.string().nullable() });

export const StorageNodeResult = z.object({
  node: StorageNode,
  reachable: z.boolean().describe('the prefix answered there (it may still not exist)'),
  exists: z.boolean().nullable().describe('null when unknown (not reachable)'),
  ms: z.number().int().nullable().describe('how long the first probe took there; null when the node was not probed'),
  marker: z.enum(MARKER_STATES).nullable(),
  class: z.string().nullable().describe('host preparation\'s failure class (e.g. timeout, policy, permission) of the first step that failed there'),
  message: z.string().nullable(),
});
export type StorageNodeResult = z.infer<typeof StorageNodeResult>;

export const StoragePathHealth = z.object({
  path: z.string().describe('the fixed prefix (the host path up to its first token)'),
  verdict: z.enum(STORAGE_VERDICTS),
  message: z.string(),
  used_by: z.array(z.object({ kind: z.enum(['image', 'group', 'profile']), name: z.string(), host_path: z.string() })),
  nodes: z.array(StorageNodeResult),
});
export type StoragePathHealth = z.infer<typeof StoragePathHealth>;

export const StorageHealthReport = z.object({
  checked_at: z.string(),
  timeout_ms: z.number().int(),
  ok: z.boolean().describe('every path is shared'),
  nodes: z.array(StorageNode.extend({ checked: z.boolean(), message: z.string().nullable() }))
    .describe('every node, also those not checked (down: left out; agent not answering: every path is error there)'),
  paths: z.array(StoragePathHealth),
});
export type StorageHealthReport = z.infer<typeof StorageHealthReport>;

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** the domain's type and the wire's are one: `true` or this file does not compile */
export const StorageReportMatches: Same<StorageHealthReport, DomainReport> = true;
