// Shared by the terminal and app-proxy tests (not a test file itself): the demo image and a
// web UI build (helpers/browser.ts ensureWebBuilt), launching and waiting, and a terminal
// WebSocket client (the `ws` package) that reports the handshake's HTTP status.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
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
  return {
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
