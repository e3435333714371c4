// The agent's HTTP server (`tether agent`): on its own node, with that node's engine and the
// local host preparer, it serves the routes of protocol.ts. Every request must carry a valid
// signature (signing.ts): anything else is refused with 401 and logged. Every answer is signed.
// Exec and dial arrive as HTTP upgrades and are checked the same way before anything is done.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest, type RawServerDefault } from 'fastify';
import type { Logger } from 'pino';
import { WebSocketServer } from 'ws';
import type { z } from 'zod';
import type { HostPreparer } from '../hostprep/types.js';
import { isRuntimeError, type RuntimeError } from '../runtime/errors.js';
import type { Runtime } from '../runtime/types.js';
import { GuardRefusal, checkTetherPid, tetherContainer } from './guard.js';
import { bridgeExec } from './exec-server.js';
import {
  DIAL_PATTERN, EXEC_PATTERN, ROUTES, TUNNEL_PROTOCOL, dialPort, execOptions, prepareRequest, releaseRequest, storageProbeRequest, verifyRequest as verifyRequestShape, type AgentPingWire,
} from './protocol.js';
import { HEADER_NONCE, NonceLedger, signAnswer, verifyRequest, type KeyRing } from './signing.js';

export interface AgentServerOptions {
  /** read at each request: a reloaded key file takes effect at once */
  keys: () => KeyRing;
  runtime: Pick<Runtime, 'inspect' | 'list' | 'exec' | 'dial'>;
  preparer: HostPreparer;
  /** where this node's / is seen ('/' as a plain process, '/host' in the agent's container) */
  hostRoot: string;
  /** what ping answers (the engine's name, swarm node id, versions) */
  identity: () => Promise<AgentPingWire>;
  logger: Logger;
}

const BODY_LIMIT = 1024 * 1024;

interface Authenticated { key: Buffer; nonce: string }
const authOf = new WeakMap<IncomingMessage, Authenticated>();

class BadRequest extends GuardRefusal {
  constructor(message: string) {
    super(400, 'bad-request', message);
  }
}

function parse<T extends z.ZodTypeAny>(shape: T, value: unknown, where: string): z.infer<T> {
  const r = shape.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  throw new BadRequest(`${where}: ${issue ? `${issue.path.join('.') || 'body'}: ${issue.message}` : 'invalid'}`);
}

/** The status and word for a refusal; engine errors keep their meaning. */
function refusalOf(err: unknown): { status: number; error: string; message: string } {
  if (err instanceof GuardRefusal) return { status: err.status, error: err.code, message: err.message };
  if (isRuntimeError(err)) {
    const e = err as RuntimeError;
    const status = e.code === 'not_found' ? 404 : e.code === 'unavailable' ? 502 : e.code === 'conflict' ? 409 : 500;
    return { status, error: e.code, message: e.message };
  }
  return { status: 500, error: 'internal', message: err instanceof Error ? err.message : String(err) };
}

function rawAnswer(socket: Duplex, status: number, reason: string, headers: Record<string, string>, body: string): void {
  const lines = [`HTTP/1.1 ${status} ${reason}`, 'content-type: application/json', `content-length: ${Buffer.byteLength(body)}`, 'connection: close', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
  socket.end(`${lines.join('\r\n')}\r\n\r\n${body}`);
}

export type AgentApp = FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, Logger>;

export async function buildAgentServer(opts: AgentServerOptions): Promise<AgentApp> {
  const { logger, runtime, preparer } = opts;
  const ledger = new NonceLedger();
  // Fastify's own request lines only at warn: a ping every few seconds per node would drown the log
  const app = Fastify({ loggerInstance: logger.child({}, { level: 'warn' }), bodyLimit: BODY_LIMIT });

  const refuseUnsigned = (where: string, remote: string | undefined, reason: string, message: string) => {
    logger.warn({ remote, where, reason }, `agent: refused a request: ${message}`);
  };

  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    (req as FastifyRequest & { rawBody?: string }).rawBody = body as string;
    try {
      done(null, body === '' ? {} : JSON.parse(body as string));
    } catch {
      done(new BadRequest('the body is not JSON'), undefined);
    }
  });

  app.addHook('preValidation', async (request, reply) => {
    const body = (request as FastifyRequest & { rawBody?: string }).rawBody;
    const verdict = verifyRequest(opts.keys(), ledger, { method: request.method, path: request.url, headers: request.headers, body });
    if (!verdict.ok) {
      refuseUnsigned(`${request.method} ${request.url.split('?')[0]}`, request.ip, verdict.reason, verdict.message);
      return reply.code(401).send({ error: 'unauthorized', message: verdict.message });
    }
    authOf.set(request.raw, { key: verdict.key, nonce: String(request.headers[HEADER_NONCE]) });
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const auth = authOf.get(request.raw);
    if (!auth) return payload;
    const body = typeof payload === 'string' || Buffer.isBuffer(payload) ? payload : '';
    reply.headers(signAnswer(auth.key, reply.statusCode, auth.nonce, body));
    return payload;
  });

  app.setErrorHandler((err: Error & { statusCode?: number }, _request, reply: FastifyReply) => {
    const r = err instanceof GuardRefusal || isRuntimeError(err) ? refusalOf(err) : { status: err.statusCode ?? 500, error: 'error', message: err.message };
    if (r.status >= 500) logger.error({ err }, 'agent: request failed');
    void reply.code(r.status).send({ error: r.error, message: r.message });
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.code(404).send({ error: 'not-found', message: `no route ${request.method} ${request.url.split('?')[0]} on the agent` });
  });

  app.get(ROUTES.ping, async () => opts.identity());
  app.post(ROUTES.prepare, async (request) => preparer.prepare(parse(prepareRequest, request.body, 'prepare')));
  app.post(ROUTES.verify, async (request) => {
    const body = parse(verifyRequestShape, request.body, 'verify');
    await checkTetherPid(runtime, opts.hostRoot, body.pid);
    return preparer.verify(body.pid, body.checks, body.timeoutMs);
  });
  app.post(ROUTES.release, async (request) => {
    await preparer.release(parse(releaseRequest, request.body, 'release').session);
    return { ok: true };
  });
  app.post(ROUTES.sweep, async () => ({ removed: await preparer.sweep() }));
  app.post(ROUTES.probeStorage, async (request, reply) => {
    const body = parse(storageProbeRequest, request.body, 'probe-storage');
    if (!preparer.probeStorage) return reply.code(501).send({ error: 'not-supported', message: 'this agent cannot check storage' });
    return preparer.probeStorage(body);
  });

  // exec and dial: HTTP upgrades, authenticated here before anything touches the engine
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 1024 * 1024 });
  wss.on('headers', (headers, req) => {
    const auth = authOf.get(req);
    if (auth) for (const [k, v] of Object.entries(signAnswer(auth.key, 101, auth.nonce))) headers.push(`${k}: ${v}`);
  });
  app.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => undefined);
    void handleUpgrade(req, socket, head).catch((err: unknown) => {
      logger.error({ err }, 'agent: upgrade failed');
      socket.destroy();
    });
  });

  async function handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const path = req.url ?? '/';
    const verdict = verifyRequest(opts.keys(), ledger, { method: req.method ?? 'GET', path, headers: req.headers });
    if (!verdict.ok) {
      refuseUnsigned(`upgrade ${path.split('?')[0]}`, req.socket.remoteAddress, verdict.reason, verdict.message);
      return rawAnswer(socket, 401, 'Unauthorized', {}, JSON.stringify({ error: 'unauthorized', message: verdict.message }));
    }
    const auth = { key: verdict.key, nonce: String(req.headers[HEADER_NONCE]) };
    const refuse = (err: unknown) => {
      const r = refusalOf(err);
      const body = JSON.stringify({ error: r.error, message: r.message });
      logger.warn({ path: path.split('?')[0], status: r.status, error: r.error }, `agent: refused: ${r.message}`);
      rawAnswer(socket, r.status, 'Refused', signAnswer(auth.key, r.status, auth.nonce, body), body);
    };
    try {
      const exec = EXEC_PATTERN.exec(path);
      if (exec) {
        const [, id = '', encoded = ''] = exec;
        let o: unknown;
        try {
          o = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
        } catch {
          throw new BadRequest('exec: the options are not base64url JSON');
        }
        const options = parse(execOptions, o, 'exec');
        await tetherContainer(runtime, id);
        const running = await runtime.exec(id, options);
        authOf.set(req, auth);
        wss.handleUpgrade(req, socket, head, (ws) => bridgeExec(ws, running, logger));
        return;
      }
      const dial = DIAL_PATTERN.exec(path);
      if (dial) {
        if (String(req.headers.upgrade ?? '').toLowerCase() !== TUNNEL_PROTOCOL) throw new BadRequest(`dial: expected "Upgrade: ${TUNNEL_PROTOCOL}"`);
        const [, id = '', portText = ''] = dial;
        const port = parse(dialPort, portText, 'dial port');
        await tetherContainer(runtime, id);
        const upstream = await runtime.dial(id, port);
        const headers = Object.entries(signAnswer(auth.key, 101, auth.nonce)).map(([k, v]) => `${k}: ${v}`);
        socket.write(['HTTP/1.1 101 Switching Protocols', 'connection: Upgrade', `upgrade: ${TUNNEL_PROTOCOL}`, ...headers].join('\r\n') + '\r\n\r\n');
        if (head.length > 0) upstream.write(head);
        upstream.on('error', () => socket.destroy());
        socket.on('error', () => upstream.destroy());
        socket.on('close', () => upstream.destroy());
        upstream.on('close', () => socket.destroy());
        socket.pipe(upstream).pipe(socket);
        return;
      }
      throw new GuardRefusal(404, 'not-found', `no upgrade route ${path.split('?')[0]} on the agent`);
    } catch (err) {
      refuse(err);
    }
  }

  return app;
}
