// A small reverse proxy with node:http / node:net: requests and WebSocket upgrades go to the
// session's container unchanged except for the headers below. Tether's cookies and any
// Authorization header are removed so the workspace never sees a Tether credential. What the
// workspace answers passes unchanged except for its Set-Cookie headers (set-cookie.ts).
// Each exchange gets its own connection to the container from the Runtime (dial), wherever
// the session runs. Both return a function that cuts the exchange (access revoked).
import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { withoutTetherCookies } from './app-host.js';
import { rewriteResponseHead, rewriteSetCookies } from './set-cookie.js';
import { FORGET_TRIES, hasTries, isPageNavigation, sendStartingPage } from './starting-page.js';

/** Cuts a proxied exchange at once, both ways. */
export type Cut = () => void;
/** an upgrade answer's head larger than this is refused (the relay would have to hold it) */
const MAX_RESPONSE_HEAD = 64 * 1024;

const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade'];

function forwardedHeaders(req: IncomingMessage, keepUpgrade: boolean): IncomingHttpHeaders {
  const h: IncomingHttpHeaders = { ...req.headers };
  delete h.authorization;
  const cookie = withoutTetherCookies(req.headers.cookie);
  if (cookie === null) delete h.cookie;
  else h.cookie = cookie;
  if (!keepUpgrade) for (const name of HOP_BY_HOP) delete h[name];
  h['x-forwarded-host'] = req.headers.host ?? '';
  h['x-forwarded-proto'] = 'http';
  h['x-forwarded-for'] = req.socket.remoteAddress ?? '';
  return h;
}

/** The session's web app: its port, and a new connection to it (Runtime.dial) for each exchange. */
export interface Upstream {
  port: number;
  dial(signal: AbortSignal): Promise<Duplex>;
}

/** the workspace must have answered (an HTTP head) within this long */
const ANSWER_TIMEOUT_MS = 60_000;

export function forwardHttp(req: IncomingMessage, res: ServerResponse, target: Upstream): Cut {
  const dialling = new AbortController();
  const upstream = httpRequest({
    method: req.method, path: req.url, headers: forwardedHeaders(req, false),
    // no http.Agent: one dialled connection per request, closed after it
    createConnection: (_options, done) => {
      target.dial(dialling.signal).then((stream) => done(null, stream), (err: Error) => done(err, undefined as unknown as Duplex));
      return undefined;
    },
  }, (up) => {
    clearTimeout(timer);
    const headers = { ...up.headers };
    for (const name of HOP_BY_HOP) delete headers[name];
    const cookies = rewriteSetCookies(up.headers['set-cookie']) ?? [];
    // the app answers: the "starting" page's count of tries is done with
    if (hasTries(req)) cookies.push(FORGET_TRIES);
    if (cookies.length > 0) headers['set-cookie'] = cookies;
    else delete headers['set-cookie'];
    res.writeHead(up.statusCode ?? 502, headers);
    up.pipe(res);
  });
  const timer = setTimeout(() => {
    dialling.abort();
    upstream.destroy(new Error(`no answer within ${ANSWER_TIMEOUT_MS / 1000} s`));
  }, ANSWER_TIMEOUT_MS);
  upstream.on('error', (err) => {
    clearTimeout(timer);
    if (!res.headersSent) {
      if (isPageNavigation(req)) return sendStartingPage(req, res, target.port, err.message);
      res.writeHead(502, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`Tether app proxy: the workspace's web app at port ${target.port} did not answer (${err.message})\n`);
    } else res.destroy();
  });
  req.pipe(upstream);
  return () => {
    clearTimeout(timer);
    dialling.abort();
    upstream.destroy();
    res.destroy();
  };
}

/** Raw HTTP head of a request, as received, minus the stripped headers. */
function requestHead(req: IncomingMessage): string {
  const lines = [`${req.method ?? 'GET'} ${req.url ?? '/'} HTTP/1.1`];
  for (const [name, value] of Object.entries(forwardedHeaders(req, true))) {
    for (const v of [value ?? []].flat()) {
      if (/[\r\n]/.test(String(v))) continue;
      lines.push(`${name}: ${v}`);
    }
  }
  return `${lines.join('\r\n')}\r\n\r\n`;
}

export function forwardUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, target: Upstream): Cut {
  const dialling = new AbortController();
  const timer = setTimeout(() => dialling.abort(), ANSWER_TIMEOUT_MS);
  let upstream: Duplex | undefined;
  const end = () => {
    clearTimeout(timer);
    dialling.abort();
    upstream?.destroy();
  };
  socket.on('error', end);
  socket.on('close', end);
  target.dial(dialling.signal).then((up) => {
    clearTimeout(timer);
    if (socket.destroyed) return up.destroy();
    upstream = up;
    up.on('error', () => socket.destroy());
    up.on('close', () => socket.destroy());
    up.write(requestHead(req));
    if (head.length > 0) up.write(head);
    relayResponseHead(up, socket, () => {
      up.pipe(socket);
      socket.pipe(up);
    });
  }, () => {
    clearTimeout(timer);
    if (socket.writable) socket.end('HTTP/1.1 502 Bad Gateway\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    else socket.destroy();
  });
  return () => {
    end();
    socket.destroy();
  };
}

/**
 * Reads the workspace's answer to the upgrade up to the end of its head, hands the head on
 * with its Set-Cookie lines rewritten, and whatever followed it unchanged; then `then`.
 */
function relayResponseHead(upstream: Duplex, socket: Duplex, then: () => void): void {
  let buf = Buffer.alloc(0);
  const onData = (chunk: Buffer) => {
    buf = Buffer.concat([buf, chunk]);
    const m = /\r?\n\r?\n/.exec(buf.toString('latin1'));
    if (!m) {
      if (buf.length > MAX_RESPONSE_HEAD) upstream.destroy();
      return;
    }
    upstream.off('data', onData);
    upstream.pause();
    const headEnd = m.index + m[0].length;
    socket.write(Buffer.from(`${rewriteResponseHead(buf.subarray(0, m.index).toString('latin1'))}\r\n\r\n`, 'latin1'));
    if (buf.length > headEnd) socket.write(buf.subarray(headEnd));
    then();
    upstream.resume();
  };
  upstream.on('data', onData);
}
