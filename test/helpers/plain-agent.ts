// Node agents as plain processes in the swarm lab's node namespaces (test/helpers/plain-agent-main.ts),
// for tests that need an agent on every node whatever the lab deployed: each listens on the
// node's lab address at its own port (not 7710, which the lab's global service holds).
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { REPO_ROOT } from './cli.js';

const MAIN = fileURLToPath(new URL('./plain-agent-main.ts', import.meta.url));

export interface PlainAgent {
  addr: string;
  port: number;
  stop(): Promise<void>;
}

/** Starts an agent in network namespace `netns` on `addr:port`, talking to the engine at `dockerSocket`. */
export async function startPlainAgent(o: { netns: string; addr: string; port: number; dockerSocket: string; keyFile: string }): Promise<PlainAgent> {
  const child: ChildProcess = spawn('ip', ['netns', 'exec', o.netns, process.execPath, '--import', 'tsx', MAIN], {
    cwd: REPO_ROOT,
    env: { ...process.env, DOCKER_HOST: `unix://${o.dockerSocket}`, TETHER_AGENT_KEY_FILE: o.keyFile, LISTEN_HOST: o.addr, LISTEN_PORT: String(o.port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => { output += c.toString(); });
  child.stderr?.on('data', (c: Buffer) => { output += c.toString(); });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await once(child, 'exit');
    clearTimeout(timer);
  };
  for (const until = Date.now() + 60_000; !output.includes('listening'); await new Promise((r) => setTimeout(r, 100))) {
    if (child.exitCode !== null || Date.now() > until) {
      await stop();
      throw new Error(`plain agent in ${o.netns} did not start: ${output}`);
    }
  }
  return { addr: o.addr, port: o.port, stop };
}
