// AgentClient over HTTP: every request signed with the server's current key (the previous one
// is tried when the agent says it does not hold the current one: an agent not yet rotated);
// every answer's signature checked before anything in it is read.
import http from 'node:http';
import type { Duplex } from 'node:stream';
import type { z } from 'zod';
import type { HostPreparer, PrepareResult, StorageProbeResult, VerifyResult } from '../hostprep/types.js';
import type { ContainerExec, ExecOptions } from '../runtime/types.js';
import { AgentRefusedError, AgentUnavailableError, type AgentClient, type AgentDirectory, type AgentPing } from './client.js';
import { AGENT_PORT, ROUTES, dialPath, execPath, pingAnswer, prepareAnswer, releaseAnswer, storageProbeAnswer, sweepAnswer, verifyAnswer as verifyAnswerShape } from './protocol.js';
import { HEADER_NONCE, signRequest, verifyAnswer, type KeyRing } from './signing.js';
import { openExec } from './exec-client.js';
import { openTunnel } from './dial-client.js';
import { refusalMessage, type Signer } from './signer.js';

/** the longest answer body read (a verify of many binds is a few KB) */
const MAX_ANSWER_BYTES = 4 * 1024 * 1024;
/** ping, release, sweep, and the time a storage operation may take on the wire beyond its own deadline */
const DEFAULT_TIMEOUT_MS = 10_000;
const WIRE_SLACK_MS = 5_000;

export interface AgentClientOptions {
  /** http://<addr>:7710 */
  url: string;
  /** the server's keys (read at each request: a rotation takes effect at once) */
  keys: () => KeyRing;
  timeoutMs?: number;
  /** where a refused answer is reported */
  logger?: { warn(obj: object, msg: string): void };
}

interface Answer { status: number; headers: http.IncomingHttpHeaders; body: Buffer }

function send(agent: http.Agent, url: URL, method: string, path: string, headers: Record<string, string>, body: string | undefined, signal: AbortSignal): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ agent, host: url.hostname, port: url.port || AGENT_PORT, method, path, headers, signal }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_ANSWER_BYTES) res.destroy(new Error(`the answer is larger than ${MAX_ANSWER_BYTES} bytes`));
        else chunks.push(c);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

export function createAgentClient(opts: AgentClientOptions): AgentClient & { close(): void } {
  const url = new URL(opts.url);
  const base = opts.url.replace(/\/+$/, '');
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const defaultTimeout = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const signer: Signer = {
    url: base,
    keys() {
      const ring = opts.keys();
      return ring.previous ? [ring.current, ring.previous] : [ring.current];
    },
    unavailable(reason, message) {
      const err = new AgentUnavailableError(base, reason, message);
      if (reason === 'forged-answer' || reason === 'unauthorized') opts.logger?.warn({ agent: base, reason }, err.message);
      return err;
    },
  };

  async function call<T extends z.ZodTypeAny>(method: 'GET' | 'POST', path: string, payload: unknown, shape: T, timeoutMs: number, signal?: AbortSignal): Promise<z.infer<T>> {
    const body = payload === undefined ? undefined : JSON.stringify(payload);
    const keys = signer.keys();
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      const signed = signRequest(key, method, path, body);
      const timeout = AbortSignal.timeout(timeoutMs);
      const both = signal ? AbortSignal.any([signal, timeout]) : timeout;
      let answer: Answer;
      try {
        answer = await send(agent, url, method, path, { ...signed, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, body, both);
      } catch (err) {
        if (timeout.aborted) throw signer.unavailable('timeout', `no answer within ${timeoutMs} ms`);
        if (signal?.aborted) throw err;
        throw signer.unavailable('unreachable', `cannot be reached: ${(err as Error).message}`);
      }
      // an agent not rotated yet does not know the current key: try the previous one
      if (answer.status === 401 && i + 1 < keys.length) continue;
      if (answer.status === 401) throw signer.unavailable('unauthorized', `refused the server's credential: ${refusalMessage(answer.body)}`);
      const verdict = verifyAnswer(key, signed[HEADER_NONCE], answer.status, answer.headers, answer.body);
      if (!verdict.ok) throw signer.unavailable('forged-answer', `${verdict.message}; the answer was not trusted`);
      if (answer.status !== 200) throw new AgentRefusedError(base, answer.status, refusalMessage(answer.body));
      let parsed: z.SafeParseReturnType<unknown, z.infer<T>>;
      try {
        parsed = shape.safeParse(JSON.parse(answer.body.toString('utf8')));
      } catch {
        throw signer.unavailable('bad-answer', `answered ${path} with something that is not JSON`);
      }
      if (!parsed.success) throw signer.unavailable('bad-answer', `answered ${path} with an unexpected shape: ${parsed.error.issues[0]?.message ?? ''}`);
      return parsed.data;
    }
    throw signer.unavailable('unauthorized', 'no key to sign with');
  }

  /** A storage operation that never rejects: the agent's failure becomes the operation's. */
  async function storageOp<R>(what: string, timeoutMs: number, signal: AbortSignal | undefined, run: (t: number) => Promise<R>, failed: (cls: 'timeout' | 'io', message: string) => R): Promise<R> {
    try {
      return await run(timeoutMs + WIRE_SLACK_MS);
    } catch (err) {
      if (signal?.aborted) return failed('timeout', `${what} was abandoned: the launch was cancelled`);
      const timedOut = err instanceof AgentUnavailableError && err.reason === 'timeout';
      return failed(timedOut ? 'timeout' : 'io', `${what} on the node failed: ${(err as Error).message}`);
    }
  }

  const preparer: HostPreparer = {
    prepare: (req, signal) => storageOp<PrepareResult>(`host preparation of ${JSON.stringify(req.hostPath)}`, req.timeoutMs, signal,
      (t) => call('POST', ROUTES.prepare, req, prepareAnswer, t, signal),
      (cls, message) => ({ ok: false, class: cls, message })),
    verify: (pid, checks, timeoutMs, signal) => storageOp<VerifyResult>(`verifying the mounts of container process ${pid}`, timeoutMs, signal,
      (t) => call('POST', ROUTES.verify, { pid, checks, timeoutMs }, verifyAnswerShape, t, signal),
      (cls, message) => ({ ok: false, class: cls, message })),
    probeStorage: (req, signal) => {
      const startedAt = Date.now();
      return storageOp<StorageProbeResult>(`the storage check of ${JSON.stringify(req.path)}`, req.timeoutMs, signal,
        (t) => call('POST', ROUTES.probeStorage, req, storageProbeAnswer, t, signal),
        (cls, message) => ({ ok: false, class: cls, message, ms: Date.now() - startedAt }));
    },
    async release(session) {
      try {
        await call('POST', ROUTES.release, { session }, releaseAnswer, defaultTimeout);
      } catch (err) {
        opts.logger?.warn({ err, session, agent: base }, `agent: releasing the stages of ${session} failed; the agent's next sweep retries`);
      }
    },
    sweep: async (signal) => (await call('POST', ROUTES.sweep, {}, sweepAnswer, defaultTimeout, signal)).removed,
    close: async () => undefined,
  };

  return {
    url: base,
    ping: (signal) => call('GET', ROUTES.ping, undefined, pingAnswer, defaultTimeout, signal) as Promise<AgentPing>,
    preparer,
    exec: (containerId: string, o: ExecOptions): Promise<ContainerExec> => openExec(signer, url, execPath(containerId, o), o, defaultTimeout),
    dial: (containerId: string, port: number, signal?: AbortSignal): Promise<Duplex> => openTunnel(signer, url, dialPath(containerId, port), defaultTimeout, signal),
    close: () => agent.destroy(),
  };
}

export interface AgentDirectoryOptions {
  keys: () => KeyRing;
  /** the agents' port (default 7710) */
  port?: number;
  timeoutMs?: number;
  logger?: AgentClientOptions['logger'];
}

/** One client per node address, kept while the node keeps that address. */
export function createAgentDirectory(opts: AgentDirectoryOptions): AgentDirectory & { close(): void } {
  const clients = new Map<string, AgentClient & { close(): void }>();
  return {
    forNode(node) {
      if (!node.addr) return undefined;
      const host = node.addr.includes(':') ? `[${node.addr}]` : node.addr;
      const url = `http://${host}:${opts.port ?? AGENT_PORT}`;
      let client = clients.get(node.id);
      if (client?.url !== url) {
        client?.close();
        client = createAgentClient({ url, keys: opts.keys, timeoutMs: opts.timeoutMs, logger: opts.logger });
        clients.set(node.id, client);
      }
      return client;
    },
    close() {
      for (const c of clients.values()) c.close();
      clients.clear();
    },
  };
}
