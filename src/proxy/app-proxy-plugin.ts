// The per-session app origin, in front of Fastify: a request or WebSocket upgrade whose Host
// is s-<session id>.<base> is answered here and never reaches the API, the web UI or their
// cookies; any other Host goes on to Fastify unchanged. Entry: GET /__tether/enter?token=
// (a 60 s single-use token from POST /api/v1/sessions/:id/app-token) sets this origin's own
// cookie and redirects to /. Without that cookie, valid for THIS session and held by the
// session's owner: 401, nothing proxied.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type Dockerode from 'dockerode';
import type { Store } from '../store/types.js';
import type { AppCredentials } from './app-credentials.js';
import { APP_COOKIE, ENTER_PATH, cookieValue, sessionOfHost } from './app-host.js';
import { ContainerAddresses, resolveTarget } from './target.js';
import { SAFE_METHODS, originMatchesHost } from '../api/auth-hook.js';
import { forwardHttp, forwardUpgrade } from './forward.js';

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;
type UpgradeListener = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

export interface AppProxyOptions { docker: Dockerode; credentials: AppCredentials; store: Store }

const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict', 502: 'Bad Gateway' };

type Verdict = { ok: true; host: string; port: number; containerId: string } | { ok: false; status: number; message: string };

async function authorize(o: AppProxyOptions, addresses: ContainerAddresses, req: IncomingMessage, sessionId: string, strictOrigin: boolean): Promise<Verdict> {
  const secret = cookieValue(req.headers.cookie, APP_COOKIE);
  const grant = secret ? o.credentials.check(secret, sessionId) : null;
  if (!grant) return { ok: false, status: 401, message: 'open this app from its session page in Tether (no valid app cookie for this session)' };
  // a request from a page of another origin (another session's app, any site; "null") is refused
  if (strictOrigin && originMatchesHost(req.headers) === false) return { ok: false, status: 403, message: `requests from origin ${req.headers.origin ?? ''} are not accepted here` };
  const target = await resolveTarget(o.store, addresses, sessionId);
  if (!target.ok) return target;
  // the session changed hands or the user is gone: the grant no longer applies
  if (target.userId !== grant.userId) return { ok: false, status: 403, message: 'this app cookie belongs to someone else' };
  return target;
}

function refuse(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  res.end(`Tether app proxy: ${message}\n`);
}

function enter(o: AppProxyOptions, req: IncomingMessage, res: ServerResponse, sessionId: string): void {
  const url = new URL(req.url ?? '/', 'http://app.invalid');
  const token = url.searchParams.get('token') ?? '';
  const secret = req.method === 'GET' ? o.credentials.redeem(token, sessionId) : null;
  if (!secret) return refuse(res, 403, 'this entry link is invalid, used or expired (links last 60 s): open the app again from the session page');
  res.writeHead(302, {
    location: '/', 'cache-control': 'no-store', 'referrer-policy': 'no-referrer',
    'set-cookie': `${APP_COOKIE}=${secret}; Path=/; HttpOnly; SameSite=Lax`,
  });
  res.end();
}

export function appProxyPlugin(o: AppProxyOptions) {
  return async function registerAppProxy(app: FastifyInstance): Promise<void> {
    const addresses = new ContainerAddresses(o.docker);
    app.addHook('onReady', async () => {
      const server = app.server;
      const fastifyRequest = server.listeners('request') as RequestListener[];
      const otherUpgrades = server.listeners('upgrade') as UpgradeListener[];
      server.removeAllListeners('request');
      server.removeAllListeners('upgrade');
      server.on('request', (req: IncomingMessage, res: ServerResponse) => {
        const sessionId = sessionOfHost(req.headers.host);
        if (sessionId === null) {
          for (const l of fastifyRequest) l.call(server, req, res);
          return;
        }
        const path = (req.url ?? '/').split('?')[0];
        if (path === ENTER_PATH) return enter(o, req, res, sessionId);
        const unsafe = !SAFE_METHODS.has(req.method ?? 'GET');
        authorize(o, addresses, req, sessionId, unsafe).then((v) => {
          if (!v.ok) return refuse(res, v.status, v.message);
          forwardHttp(req, res, v, () => addresses.forget(v.containerId));
        }, (err: unknown) => refuse(res, 502, `cannot reach the session: ${err instanceof Error ? err.message : String(err)}`));
      });
      server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
        const sessionId = sessionOfHost(req.headers.host);
        if (sessionId === null) {
          for (const l of otherUpgrades) l.call(server, req, socket, head);
          return;
        }
        socket.on('error', () => socket.destroy());
        authorize(o, addresses, req, sessionId, true).then((v) => {
          if (!v.ok) return socket.end(`HTTP/1.1 ${v.status} ${STATUS_TEXT[v.status] ?? 'Error'}\r\ncontent-type: text/plain\r\nconnection: close\r\ncontent-length: ${Buffer.byteLength(v.message)}\r\n\r\n${v.message}`);
          forwardUpgrade(req, socket, head, v, () => addresses.forget(v.containerId));
        }, () => socket.destroy());
      });
    });
  };
}
