// The real `tether server` as a child process (built or through tsx: helpers/cli.ts), so
// tests can SIGKILL it mid-flight and start it again on the same database.
import { spawn, type ChildProcess } from 'node:child_process';
import { REPO_ROOT, tetherArgs, tetherEnv } from './cli.js';
export { freePort } from './ports.js';

export { REPO_ROOT };
export const ADMIN_PASSWORD = 'crash-test-password-1234';

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** everything it printed (JSON log lines) */
  output(): string;
  kill(signal: NodeJS.Signals): Promise<void>;
}


/**
 * Starts `tether server` and waits until it answers. Its environment: tetherEnv (no developer
 * TETHER_* settings), TETHER_ADMIN_PASSWORD=ADMIN_PASSWORD, then `env` (which may override it).
 */
export async function startTetherServer(o: { port: number; dataDir: string; database: string; env?: Record<string, string> }): Promise<ServerProcess> {
  const child = spawn(process.execPath, tetherArgs(['server', '--listen', `127.0.0.1:${o.port}`, '--data-dir', o.dataDir, '--database', o.database]), {
    cwd: REPO_ROOT, env: tetherEnv({ TETHER_ADMIN_PASSWORD: ADMIN_PASSWORD, ...o.env }), stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (c: Buffer) => { out += c.toString(); });
  child.stderr?.on('data', (c: Buffer) => { out += c.toString(); });
  const url = `http://127.0.0.1:${o.port}`;
  const until = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`tether server exited with ${child.exitCode}:\n${out}`);
    // The body is read: an answer left unread keeps its connection busy (and the server's shutdown waiting).
    const ok = await fetch(`${url}/api/v1/openapi.json`, { signal: AbortSignal.timeout(1000) }).then(async (r) => { await r.arrayBuffer(); return r.ok; }).catch(() => false);
    if (ok) break;
    if (Date.now() > until) {
      child.kill('SIGKILL');
      throw new Error(`tether server did not answer within 30 s:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url, child, output: () => out,
    async kill(signal) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill(signal);
      await exited;
    },
  };
}

export async function login(url: string, username = 'admin', password = ADMIN_PASSWORD): Promise<string> {
  const res = await fetch(`${url}/api/v1/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  if (!res.ok) throw new Error(`login as ${username}: HTTP ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}

