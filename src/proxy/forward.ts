// A small reverse proxy with node:http / node:net: requests and WebSocket upgrades go to the
// session's container unchanged except for the headers below. Tether's cookies and any
// Authorization header are removed so the workspace never sees a Tether credential.
import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect } from 'node:net';
import type { Duplex } from 'node:stream';
import { withoutTetherCookies } from './app-host.js';

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

/** Called when the target gave no answer at all (refused, unreachable, timed out): its address may be stale. */
type OnUnreachable = () => void;

export function forwardHttp(req: IncomingMessage, res: ServerResponse, target: { host: string; port: number }, onUnreachable?: OnUnreachable): void {
  const upstream = httpRequest({ host: target.host, port: target.port, method: req.method, path: req.url, headers: forwardedHeaders(req, false), timeout: 60_000 }, (up) => {
    const headers = { ...up.headers };
    for (const name of HOP_BY_HOP) delete headers[name];
    res.writeHead(up.statusCode ?? 502, headers);
    up.pipe(res);
  });
  upstream.on('timeout', () => upstream.destroy(new Error('no answer within 60 s')));
  upstream.on('error', (err) => {
    if (!res.headersSent) {
      onUnreachable?.();
      res.writeHead(502, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`Tether app proxy: the workspace's web app at port ${target.port} did not answer (${err.message})\n`);
    } else res.destroy();
  });
  req.pipe(upstream);
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

export function forwardUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, target: { host: string; port: number }, onUnreachable?: OnUnreachable): void {
  const upstream = connect({ host: target.host, port: target.port });
  upstream.setTimeout(60_000, () => upstream.destroy());
  let connected = false;
  upstream.once('connect', () => {
    connected = true;
    upstream.setTimeout(0);
    upstream.write(requestHead(req));
    if (head.length > 0) upstream.write(head);
    upstream.pipe(socket);
    socket.pipe(upstream);
  });
  upstream.on('error', () => {
    if (!connected) onUnreachable?.();
    if (!connected && socket.writable) socket.end('HTTP/1.1 502 Bad Gateway\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    else socket.destroy();
  });
  socket.on('error', () => upstream.destroy());
  socket.on('close', () => upstream.destroy());
  upstream.on('close', () => {
    if (connected) socket.destroy();
  });
}
