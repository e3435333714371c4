// The agent's own checks, whatever the (authenticated) server asks: only containers labelled
// tether=1 on this node's engine, only processes that are the main process of such a container.
import { readFile } from 'node:fs/promises';
import type { ContainerInfo, Runtime } from '../runtime/types.js';
import { CONTAINER_ID } from './protocol.js';

export class GuardRefusal extends Error {
  constructor(readonly status: 400 | 403 | 404 | 409, readonly code: string, message: string) {
    super(message);
  }
}

export const TETHER_LABEL = 'tether';

function isTether(info: Pick<ContainerInfo, 'labels'>): boolean {
  return info.labels[TETHER_LABEL] === '1';
}

/** The running Tether container `id` on this engine, or a refusal saying why not. */
export async function tetherContainer(runtime: Pick<Runtime, 'inspect'>, id: string): Promise<ContainerInfo> {
  if (!CONTAINER_ID.test(id)) throw new GuardRefusal(400, 'bad-container-id', `${JSON.stringify(id.slice(0, 80))} is not a container id (expected 12-64 hex digits)`);
  const info = await runtime.inspect(id);
  if (!info) throw new GuardRefusal(404, 'no-such-container', `container ${id.slice(0, 12)} does not exist on this node's engine`);
  if (!isTether(info)) throw new GuardRefusal(403, 'not-tether', `container ${id.slice(0, 12)} is not a Tether session container (it lacks the label ${TETHER_LABEL}=1): the agent acts only on Tether's containers`);
  if (!info.running) throw new GuardRefusal(409, 'not-running', `container ${id.slice(0, 12)} is not running (state ${info.state})`);
  return info;
}

/** Container ids named in a process's cgroup paths (docker-<id>.scope, /docker/<id>, ...). */
export function containerIdsInCgroup(text: string): string[] {
  return [...new Set(text.match(/[0-9a-f]{64}/g) ?? [])];
}

/**
 * `pid` (in this node's pid namespace, seen at <hostRoot>/proc) must be the main process of a
 * running Tether container: its cgroup names the candidate, an inspect confirms; when the cgroup
 * names none (an unusual cgroup layout) every Tether container is asked.
 */
export async function checkTetherPid(runtime: Pick<Runtime, 'inspect' | 'list'>, hostRoot: string, pid: number): Promise<void> {
  const procRoot = hostRoot === '/' ? '/proc' : `${hostRoot}/proc`;
  const cgroup = await readFile(`${procRoot}/${pid}/cgroup`, 'utf8').catch(() => null);
  if (cgroup === null) throw new GuardRefusal(404, 'no-such-process', `process ${pid} does not exist on this node`);
  let candidates = containerIdsInCgroup(cgroup);
  if (candidates.length === 0) candidates = (await runtime.list()).filter((c) => c.running).map((c) => c.id);
  for (const id of candidates) {
    const info = await runtime.inspect(id);
    if (info && info.pid === pid && info.running) {
      if (isTether(info)) return;
      break;
    }
  }
  throw new GuardRefusal(403, 'not-tether', `process ${pid} is not the main process of a running Tether session container on this node: the agent verifies only Tether's containers`);
}
