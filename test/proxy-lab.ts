// Shared by the terminal and app-proxy tests (not a test file itself): the demo image and a
// web UI build (helpers/browser.ts ensureWebBuilt), launching and waiting, and a terminal
// WebSocket client (the `ws` package) that reports the handshake's HTTP status; a hostile
// web app to run inside a session, raw requests and WebSocket handshakes through the app proxy.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { request, type IncomingHttpHeaders } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket } from 'ws';
import { ensureDocker } from './helpers/docker.js';
import { ensureWebBuilt } from './helpers/browser.js';
import { REPO_ROOT, type ServerProcess } from './helpers/tether-server.js';
import { eventually } from './helpers/sessions.js';
import type { Api } from './helpers/http-api.js';
import { terminalPath, type ClientControl } from '../src/terminal/protocol.js';

const run = promisify(execFile);

/** Engine, test images, tether/demo-workspace:1, and web/dist with the terminal chunk. */
export async function ensureDemoStack(): Promise<void> {
  await ensureDocker();
  await run('bash', [join(REPO_ROOT, 'scripts/lab/build-demo-image.sh')], { cwd: REPO_ROOT, timeout: 120_000 });
  await ensureWebBuilt();
}

/** Launches a session of the image as the API's user; its id once running. */
export async function launchAndWait(api: Api, image: string): Promise<string> {
  const created = await api('POST', '/sessions', { image });
  if (created.status !== 201) throw new Error(`launch ${image}: HTTP ${created.status} ${JSON.stringify(created.json)}`);
  const id = created.json.id as string;
  await eventually(async () => {
    const s = await api('GET', `/sessions/${id}`);
    if (s.json.state === 'failed' || s.json.state === 'destroyed') throw new Error(`session ${id} ended: ${JSON.stringify(s.json)}`);
    return s.json.state === 'running';
  }, 30_000, `session ${id} running`);
  return id;
}

export interface TerminalClient {
  /** 101 when the upgrade succeeded, else the HTTP status of the refusal */
  status: number;
  output(): string;
  send(text: string): void;
  control(m: ClientControl): void;
  waitFor(re: RegExp, timeoutMs?: number): Promise<void>;
  close(): void;
  /** settles when the socket has closed: the close code and reason the server gave */
  closed: Promise<{ code: number; reason: string }>;
}

export async function connectTerminal(url: string, sessionId: string, headers: Record<string, string>, query = 'tty=0'): Promise<TerminalClient> {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}${terminalPath(sessionId)}?${query}`, { headers, handshakeTimeout: 10_000 });
  let out = '';
  const tty = !query.includes('tty=0');
  ws.on('message', (data, isBinary) => {
    // without a TTY each frame starts with its stream byte (STDOUT or STDERR)
    if (isBinary) out += Buffer.from(data as Buffer).subarray(tty ? 0 : 1).toString('utf8');
  });
  const status = await new Promise<number>((resolve, reject) => {
    ws.once('open', () => resolve(101));
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
      ws.terminate();
    });
    ws.once('error', (err) => reject(err));
  });
  ws.on('error', () => undefined);
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  return {
    closed,
    status,
    output: () => out,
    send: (text) => ws.send(Buffer.from(text), { binary: true }),
    control: (m) => ws.send(JSON.stringify(m)),
    waitFor: (re, timeoutMs = 10_000) => eventually(async () => re.test(out), timeoutMs, `${re} in the terminal output; got: ${JSON.stringify(out)}`).then(() => undefined),
    close: () => ws.close(),
  };
}

/** SIGTERM, and SIGKILL when the server has not exited within 5 s (cleanup must not hang). */
export async function stopServer(server: ServerProcess | undefined): Promise<void> {
  if (!server) return;
  const timer = setTimeout(() => server.child.kill('SIGKILL'), 5_000);
  try {
    await server.kill('SIGTERM');
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A tiny web app for the session container, in its own busybox (nc + sh): every answer sets
 * two cookies a hostile app would (`tether_session` for the parent domain, `a=b` with a
 * Domain); a WebSocket upgrade is answered 101 and then echoed (cat) until either side ends.
 */
const HOSTILE_APP = String.raw`cr=$(printf '\r')
up=
while IFS= read -r line; do
  case "$line" in [Uu]pgrade:*) up=1 ;; esac
  [ "$line" = "$cr" ] || [ -z "$line" ] && break
done
cookies='Set-Cookie: tether_session=planted; Domain=localhost\r\nSet-Cookie: a=b; Domain=example.org\r\n'
if [ -n "$up" ]; then
  printf "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n$cookies\r\n"
  exec cat
fi
printf "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\nConnection: close\r\n$cookies\r\nok\n"`;

/** Runs HOSTILE_APP on `port` in the container (detached, as uid 1000, through the docker CLI) and waits until it answers. */
export async function serveHostileApp(containerId: string, port: number): Promise<void> {
  await run('docker', ['exec', '-d', '-u', '1000:1000', containerId, 'nc', '-ll', '-p', String(port), '-e', 'sh', '-c', HOSTILE_APP], { timeout: 30_000 });
  await eventually(async () => {
    const r = await run('docker', ['exec', containerId, 'sh', '-c', `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc 127.0.0.1 ${port}`], { timeout: 10_000 }).catch(() => null);
    return r?.stdout.includes('ok');
  }, 10_000, `the test app on port ${port}`);
}

/** Enters a session's app with a fresh entry link: the app cookie ("name=value"). */
export async function enterApp(api: Api, port: number, sessionId: string): Promise<string> {
  const entry = await api('POST', `/sessions/${sessionId}/app-token`);
  if (entry.status !== 200) throw new Error(`app-token: HTTP ${entry.status} ${entry.text}`);
  const url = new URL((entry.json as { url: string }).url);
  const r = await rawRequest(port, `s-${sessionId}.localhost:${port}`, url.pathname + url.search);
  if (!r.headers['set-cookie']) throw new Error(`entry: HTTP ${r.status}, no cookie: ${r.body}`);
  return String(r.headers['set-cookie']).split(';')[0]!;
}

/** A raw HTTP GET to 127.0.0.1 with our own Host header (fetch may not set Host). */
export function rawRequest(port: number, host: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { ...headers, host } }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => { body += c.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

export interface ProxiedUpgrade {
  /** 101, or the refusal's status */
  status: number;
  headers: IncomingHttpHeaders;
  /** the open connection after a 101 (null otherwise) */
  socket: Duplex | null;
  /** settles when the connection has closed */
  closed: Promise<void>;
}

/** A WebSocket handshake through the app proxy, kept open on success. */
export function proxiedUpgrade(port: number, host: string, headers: Record<string, string> = {}): Promise<ProxiedUpgrade> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/ws', headers: { ...headers, host, connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' } });
    req.on('upgrade', (res, socket) => {
      socket.on('error', () => undefined);
      const closed = new Promise<void>((r) => socket.once('close', () => r()));
      resolve({ status: res.statusCode ?? 0, headers: res.headers, socket, closed });
    });
    req.on('response', (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, headers: res.headers, socket: null, closed: Promise.resolve() });
    });
    req.on('error', reject);
    req.end();
  });
}
