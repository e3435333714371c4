// The agent's wire shapes, defined once: the agent validates requests with them, the client
// validates answers with them (after checking their signature). Paths are relative to the
// agent's URL. Exec and dial are HTTP upgrades (a WebSocket, a raw tunnel) of signed GETs.
import { z } from 'zod';

export const AGENT_PORT = 7710;

export const ROUTES = {
  ping: '/v1/ping',
  prepare: '/v1/hostprep/prepare',
  verify: '/v1/hostprep/verify',
  release: '/v1/hostprep/release',
  sweep: '/v1/hostprep/sweep',
  probeStorage: '/v1/hostprep/probe-storage',
} as const;

/** container ids as the engine gives them (and short ids, names are refused) */
export const CONTAINER_ID = /^[0-9a-f]{12,64}$/;
export const containerIdShape = z.string().regex(CONTAINER_ID, 'expected an engine container id (12-64 hex digits)');
const absolutePath = z.string().min(1).max(4096).regex(/^\//, 'expected an absolute path').refine((p) => !p.includes('\0'), 'no NUL byte');
/** a session key: one plain path segment (staging.ts checks it again) */
const sessionKey = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/, "expected letters, digits, '.', '_', '-'");
const id32 = z.number().int().min(0).max(2 ** 32 - 2).nullable();
const timeoutMs = z.number().int().positive().max(600_000);
const failureClass = z.enum(['timeout', 'missing', 'permission', 'not_directory', 'policy', 'io']);
const identity = z.object({ dev: z.number(), ino: z.number() });
const failure = z.object({ ok: z.literal(false), class: failureClass, message: z.string() });

export const execPath = (containerIdValue: string, opts: ExecOptionsWire): string => `/v1/containers/${containerIdValue}/exec?o=${Buffer.from(JSON.stringify(opts)).toString('base64url')}`;
export const dialPath = (containerIdValue: string, port: number): string => `/v1/containers/${containerIdValue}/dial/${port}`;
export const EXEC_PATTERN = /^\/v1\/containers\/([^/?]+)\/exec\?o=([A-Za-z0-9_-]*)$/;
export const DIAL_PATTERN = /^\/v1\/containers\/([^/?]+)\/dial\/([^/?]+)$/;
/** the Upgrade token of a dial tunnel */
export const TUNNEL_PROTOCOL = 'tether-tunnel';

export const pingAnswer = z.object({ hostname: z.string(), nodeId: z.string().nullable(), version: z.string(), engine: z.string() });

export const prepareRequest = z.object({
  hostPath: absolutePath,
  fixedPrefix: absolutePath,
  uid: id32,
  gid: id32,
  skipCheck: z.boolean(),
  timeoutMs,
  session: sessionKey,
}).strict();
export const prepareAnswer = z.union([
  z.object({ ok: z.literal(true), realPath: z.string(), created: z.array(z.string()), source: z.string(), identity }),
  failure,
]);

const bindCheck = z.object({ target: absolutePath, expected: identity }).strict();
export const verifyRequest = z.object({ pid: z.number().int().positive().max(2 ** 31), checks: z.array(bindCheck).max(256), timeoutMs }).strict();
export const verifyAnswer = z.union([
  z.object({
    ok: z.literal(true),
    findings: z.array(z.object({ target: z.string(), expected: identity, found: identity.nullable(), ok: z.boolean(), message: z.string().optional() })),
  }),
  failure,
]);

export const releaseRequest = z.object({ session: sessionKey }).strict();
export const releaseAnswer = z.object({ ok: z.literal(true) });
export const sweepAnswer = z.object({ removed: z.number().int().min(0) });

export const storageProbeRequest = z.object({
  path: absolutePath,
  timeoutMs,
  marker: z.string().regex(/^[A-Za-z0-9-]{8,64}$/).optional(),
  write: z.string().max(4096).optional(),
  read: z.string().max(4096).optional(),
  remove: z.boolean().optional(),
}).strict();
export const storageProbeAnswer = z.union([
  z.object({ ok: z.literal(true), ms: z.number(), exists: z.boolean(), realPath: z.string().optional(), markerSeen: z.boolean().optional(), markerNote: z.string().optional() }),
  z.object({ ok: z.literal(false), class: failureClass, message: z.string(), ms: z.number() }),
]);

export const execOptions = z.object({
  cmd: z.array(z.string().max(65_536)).min(1).max(1024),
  tty: z.boolean(),
  stdin: z.boolean(),
  env: z.array(z.string().regex(/^[^=\0]+=[^\0]*$/, 'expected NAME=value')).max(256).optional(),
}).strict();
export type ExecOptionsWire = z.infer<typeof execOptions>;

export const dialPort = z.coerce.number().int().min(1).max(65_535);

/** Every refusal: a word for programs, a sentence for people. */
export const errorAnswer = z.object({ error: z.string(), message: z.string() });
export type ErrorAnswer = z.infer<typeof errorAnswer>;

/** Exec, agent -> server: a binary frame starts with the stream it carries. */
export const EXEC_STDOUT = 1;
export const EXEC_STDERR = 2;
/** Exec, text frames (JSON) in either direction; binary frames server -> agent are stdin. */
export const execControl = z.discriminatedUnion('type', [
  z.object({ type: z.literal('resize'), cols: z.number().int().min(1).max(10_000), rows: z.number().int().min(1).max(10_000) }),
  z.object({ type: z.literal('end-input') }),
  z.object({ type: z.literal('exit'), code: z.number().int().nullable() }),
]);
export type ExecControl = z.infer<typeof execControl>;
export type AgentPingWire = z.infer<typeof pingAnswer>;
