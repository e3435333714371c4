// `tether agent` as a plain process on a swarm lab node (what docs/multi-host.md describes for
// hosts that do not run the global service): entered into that node's mount, UTS and network
// namespaces (those of its dockerd), so it sees the node's file system, host name and address,
// and talks to the node's engine. Each listens on the node's lab address at a port of its own
// (not 7710, which the lab's global service holds), with the key file the caller made.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { REPO_ROOT, tetherArgs, tetherEnv } from './cli.js';

export interface PlainAgent {
  stop(): Promise<void>;
}

/** Node n of the lab (scripts/lab/swarm-lab.sh): its agent on 198.18.213.1n:port. */
export async function startPlainAgent(o: { node: number; port: number; keyFile: string }): Promise<PlainAgent> {
  const dockerd = (await readFile(`/run/tether-swarm-lab/n${o.node}/dockerd.pid`, 'utf8')).trim();
  const args = tetherArgs(['agent', '--listen', `198.18.213.1${o.node}:${o.port}`, '--key-file', o.keyFile, '--host-root', '/', '--docker-host', `unix:///run/tether-swarm-lab/n${o.node}.sock`]);
  const child = spawn('nsenter', ['-t', dockerd, '-m', '-u', '-n', `--wd=${REPO_ROOT}`, process.execPath, ...args], { cwd: REPO_ROOT, env: tetherEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c: Buffer) => { output += c.toString(); });
  child.stderr.on('data', (c: Buffer) => { output += c.toString(); });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };
  for (const until = Date.now() + 60_000; !output.includes('agent: listening'); await new Promise((r) => setTimeout(r, 100))) {
    if (child.exitCode !== null || Date.now() > until) {
      await stop();
      throw new Error(`tether agent on lab node ${o.node} did not start: ${output}`);
    }
  }
  return { stop };
}
