// The three-node swarm lab (scripts/lab/swarm-lab.sh) for tests: brought up (or reused when
// up), its assignments parsed, a client per node's own engine (exec into a session's
// container where its task runs), and down at the end.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Dockerode from 'dockerode';

const execFileAsync = promisify(execFile);
const SCRIPT = fileURLToPath(new URL('../../scripts/lab/swarm-lab.sh', import.meta.url));
const NODE_SOCKETS = [1, 2, 3].map((n) => `/run/tether-swarm-lab/n${n}.sock`);

export interface SwarmLab {
  /** the assignments `up` printed: DOCKER_HOST, TETHER_RUNTIME, SWARM_LAB_SHARED, SWARM_LAB_LOCAL, SWARM_LAB_IMAGE, TETHER_AGENT_KEY_FILE */
  env: Record<string, string>;
  manager: Dockerode;
  /** node id -> a client of that node's own engine */
  nodes: Map<string, Dockerode>;
  /** node ids in node order (node 1 is the manager) */
  nodeIds: string[];
  down(): Promise<void>;
}

/**
 * Why the lab cannot be built on this machine, or null when it can. Only what the machine
 * lacks counts (root, network namespaces, FUSE, dockerd); a lab that fails to come up on a
 * machine that has all of it is a failure, not a skip.
 */
export function swarmLabUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'the swarm lab needs root (network and mount namespaces, daemons)';
  if (!existsSync('/dev/fuse')) return 'no /dev/fuse: the lab shares storage between its nodes through SSHFS';
  if (!existsSync('/proc/self/ns/net') || !existsSync('/proc/self/ns/mnt')) return 'the kernel has no network or mount namespaces';
  for (const tool of ['/usr/sbin/dockerd', '/usr/bin/dockerd', '/usr/bin/docker']) if (existsSync(tool)) return null;
  return 'dockerd is not installed (scripts/lab/ensure-docker.sh installs it on Debian)';
}

export function parseAssignments(stdout: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of stdout.split('\n')) {
    if (line.trim() === '') continue;
    const m = /^export ([A-Z_]+)=(\S+)$/.exec(line);
    if (!m) throw new Error(`swarm-lab.sh up printed a line that is not an assignment: ${JSON.stringify(line)}`);
    env[m[1] as string] = m[2] as string;
  }
  return env;
}

export async function runSwarmLab(action: 'up' | 'down'): Promise<string> {
  try {
    // up may rebuild and roll out the agent image (a few minutes) or wait for another process's up
    const { stdout } = await execFileAsync('bash', [SCRIPT, action], { timeout: 600_000, maxBuffer: 16 * 1024 * 1024 });
    return stdout;
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`scripts/lab/swarm-lab.sh ${action} failed: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`);
  }
}

/** the manager answers: the lab was up before this process asked for it */
async function labIsUp(): Promise<boolean> {
  return new Dockerode({ socketPath: NODE_SOCKETS[0] as string }).ping().then(() => true, () => false);
}

/**
 * Brings the lab up (or reuses it). down() removes it only when this process brought it up:
 * a lab that was already up belongs to whoever started it (another test process, a developer).
 */
export async function startSwarmLab(): Promise<SwarmLab> {
  const wasUp = await labIsUp();
  const env = parseAssignments(await runSwarmLab('up'));
  const manager = new Dockerode({ socketPath: (env.DOCKER_HOST ?? '').replace(/^unix:\/\//, '') });
  const nodes = new Map<string, Dockerode>();
  const nodeIds: string[] = [];
  for (const socketPath of NODE_SOCKETS) {
    const engine = new Dockerode({ socketPath });
    const id = (await engine.info() as { Swarm: { NodeID: string } }).Swarm.NodeID;
    nodes.set(id, engine);
    nodeIds.push(id);
  }
  return { env, manager, nodes, nodeIds, down: async () => void (wasUp ? undefined : await runSwarmLab('down')) };
}
