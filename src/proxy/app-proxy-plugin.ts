// The per-session app origin, in front of Fastify: a request or WebSocket upgrade whose Host
// is s-<session id>.<base> is answered here and never reaches the API, the web UI or their
// cookies; any other Host goes on to Fastify unchanged. Entry: GET /__tether/enter?token=
// (a 60 s single-use token from POST /api/v1/sessions/:id/app-token) sets this origin's own
// cookie and sends the browser on to /. Without that cookie, valid for THIS session and held
// by the session's owner: 401, nothing proxied. Each request also checks that the Tether
// credential the entry was asked with still stands (not signed out or revoked, its user
// enabled); revocations heard on the hub drop the grants and cut the proxied connections
// (WebSockets, answers still streaming) at once.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../api/types.js';
import type { Runtime } from '../runtime/types.js';
import type { Store } from '../store/types.js';
import type { AppCredentials, AppGrant } from './app-credentials.js';
import { ENTER_PATH, sessionOfHost } from './app-host.js';
import { APP_COOKIE_BASE, cookieName, cookieValues } from '../api/cookies.js';
import { credentialStillValid } from '../auth/still-valid.js';
import type { RevocationHub } from '../auth/revocations.js';
import { resolveTarget } from './target.js';
import { SAFE_METHODS, originMatchesHost } from '../api/auth-hook.js';
import { forwardHttp, forwardUpgrade, type Cut, type Upstream } from './forward.js';

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;
type UpgradeListener = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

export interface AppProxyOptions { runtime: Pick<Runtime, 'dial'>; credentials: AppCredentials; store: Store }

const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict', 502: 'Bad Gateway' };

type Verdict = { ok: true; port: number; containerId: string; grant: AppGrant } | { ok: false; status: number; message: string };

interface ProxyContext { o: AppProxyOptions; cookie: string; secure: boolean }

async function authorize(c: ProxyContext, req: IncomingMessage, sessionId: string, strictOrigin: boolean): Promise<Verdict> {
  const { o } = c;
  // every value sent under the cookie's name is tried: one planted for a parent domain by
  // another session's app must not shadow the user's own
  const grant = cookieValues(req.headers.cookie, c.cookie).map((secret) => o.credentials.check(secret, sessionId)).find((g) => g !== null);
  if (!grant) return { ok: false, status: 401, message: 'open this app from its session page in Tether (no valid app cookie for this session)' };
  if (!(await credentialStillValid(o.store, grant, new Date()))) return { ok: false, status: 401, message: 'the Tether sign-in this app was opened with has ended: open the app again from its session page' };
  // a request from a page of another origin (another session's app, any site; "null") is refused
  if (strictOrigin && originMatchesHost(req.headers) === false) return { ok: false, status: 403, message: `requests from origin ${req.headers.origin ?? ''} are not accepted here` };
  const target = await resolveTarget(o.store, sessionId);
  if (!target.ok) return target;
  // the session changed hands or the user is gone: the grant no longer applies
  if (target.userId !== grant.userId) return { ok: false, status: 403, message: 'this app cookie belongs to someone else' };
  return { ...target, grant };
}

function refuse(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  res.end(`Tether app proxy: ${message}\n`);
}

/**
 * The entry page sets the cookie and moves on to / from this very origin (not a redirect: the
 * navigation that brought the browser here came from Tether's origin, possibly another site,
 * and a SameSite=Strict cookie is sent only on a navigation the app's own site started).
 */
const ENTER_PAGE = '<!doctype html><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=/"><title>Opening the app</title><a href="/">Open the app</a>\n';

function enter(c: ProxyContext, req: IncomingMessage, res: ServerResponse, sessionId: string): void {
  const url = new URL(req.url ?? '/', 'http://app.invalid');
  const token = url.searchParams.get('token') ?? '';
  const secret = req.method === 'GET' ? c.o.credentials.redeem(token, sessionId) : null;
  if (!secret) return refuse(res, 403, 'this entry link is invalid, used or expired (links last 60 s): open the app again from the session page');
  res.writeHead(200, {
    'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'referrer-policy': 'no-referrer', 'x-content-type-options': 'nosniff',
    'set-cookie': `${c.cookie}=${secret}; Path=/; HttpOnly; SameSite=Strict${c.secure ? '; Secure' : ''}`,
  });
  res.end(ENTER_PAGE);
}

/** Cuts the proxied exchange when a revocation concerns it; stops listening when it ends by itself. */
function cutOnRevocation(hub: RevocationHub | undefined, grant: AppGrant, sessionId: string, cut: Cut, ended: NodeJS.EventEmitter): void {
  if (!hub) return;
  const unwatch = hub.watch({ ...grant, sessionId }, cut);
  ended.once('close', unwatch);
}

/** The session's app as the forwarders reach it: through the Runtime, wherever the container runs. */
function upstreamOf(c: ProxyContext, v: { port: number; containerId: string }): Upstream {
  return { port: v.port, dial: (signal) => c.o.runtime.dial(v.containerId, v.port, signal) };
}

export function appProxyPlugin(o: AppProxyOptions) {
  return async function registerAppProxy(app: FastifyInstance, deps: AppDeps): Promise<void> {
    const secure = deps.secureCookies === true;
    const c: ProxyContext = { o, cookie: cookieName(APP_COOKIE_BASE, secure), secure };
    const hub = deps.revocations;
    const unsubscribe = hub?.subscribe((r) => o.credentials.revoke(r));
    app.addHook('onClose', async () => unsubscribe?.());
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
        if (path === ENTER_PATH) return enter(c, req, res, sessionId);
        const unsafe = !SAFE_METHODS.has(req.method ?? 'GET');
        authorize(c, req, sessionId, unsafe).then((v) => {
          if (!v.ok) return refuse(res, v.status, v.message);
          cutOnRevocation(hub, v.grant, sessionId, forwardHttp(req, res, upstreamOf(c, v)), res);
        }, (err: unknown) => refuse(res, 502, `cannot reach the session: ${err instanceof Error ? err.message : String(err)}`));
      });
      server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
        const sessionId = sessionOfHost(req.headers.host);
        if (sessionId === null) {
          for (const l of otherUpgrades) l.call(server, req, socket, head);
          return;
        }
        socket.on('error', () => socket.destroy());
        authorize(c, req, sessionId, true).then((v) => {
          if (!v.ok) return socket.end(`HTTP/1.1 ${v.status} ${STATUS_TEXT[v.status] ?? 'Error'}\r\ncontent-type: text/plain\r\nconnection: close\r\ncontent-length: ${Buffer.byteLength(v.message)}\r\n\r\n${v.message}`);
          cutOnRevocation(hub, v.grant, sessionId, forwardUpgrade(req, socket, head, upstreamOf(c, v)), socket);
        }, () => socket.destroy());
      });
    });
  };
}
