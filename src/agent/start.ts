// `tether agent`: the agent process. Reads its key file (again on SIGHUP and when the file
// changes), serves on its node with the node's engine and a local host preparer seeing the
// node's file system at hostRoot.
import { readFile, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { HostPathPolicy } from '../mappings/index.js';
import { createLocalHostPreparer } from '../hostprep/index.js';
import { createDockerRuntime } from '../runtime/docker/index.js';
import { readKeyFile } from './keys.js';
import { buildAgentServer, type AgentApp } from './server.js';
import { keepNodeForSessions } from './node-sessions.js';
import type { AgentPingWire } from './protocol.js';
import type { KeyRing } from './signing.js';

export interface AgentOptions {
  listen: { host: string; port: number };
  keyFile: string;
  hostRoot: string;
  dockerHost: string | undefined;
  policy: HostPathPolicy;
  logger: Logger;
}

export interface RunningAgent {
  app: AgentApp;
  /** http://host:port as bound */
  url: string;
  close(): Promise<void>;
}

/**
 * The agent's stages live in <staging root>/agent-<node name>: swept at start, and named by the
 * node so that nodes which happen to share a /run (a lab on one machine) never sweep each other's.
 */
export function agentStagingNamespace(nodeName: string): string {
  return `agent-${nodeName.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 100) || 'node'}`;
}
const KEY_FILE_CHECK_MS = 5_000;
const IDENTITY_CACHE_MS = 10_000;

async function packageVersion(): Promise<string> {
  const text = await readFile(new URL('../../package.json', import.meta.url), 'utf8').catch(() => '{}');
  return String((JSON.parse(text) as { version?: unknown }).version ?? 'unknown');
}

export async function startAgent(opts: AgentOptions): Promise<RunningAgent> {
  const { logger } = opts;
  let ring: KeyRing = await readKeyFile(opts.keyFile);
  let keyMtime = (await stat(opts.keyFile)).mtimeMs;
  const reload = async (why: string) => {
    try {
      ring = await readKeyFile(opts.keyFile);
      keyMtime = (await stat(opts.keyFile)).mtimeMs;
      logger.info({ keyFile: opts.keyFile, previous: Boolean(ring.previous) }, `agent: key file reloaded (${why})`);
    } catch (err) {
      logger.error({ err }, 'agent: the key file could not be reloaded; the keys read before stay in use');
    }
  };
  const onHup = () => void reload('SIGHUP');
  process.on('SIGHUP', onHup);
  const watch = setInterval(() => {
    void stat(opts.keyFile).then((st) => (st.mtimeMs !== keyMtime ? reload('the file changed') : undefined), () => undefined);
  }, KEY_FILE_CHECK_MS);
  watch.unref();

  const runtime = createDockerRuntime({ dockerHost: opts.dockerHost });
  const engineInfo = async () => runtime.docker.info() as Promise<{ Name?: string; Swarm?: { NodeID?: string; LocalNodeState?: string } }>;
  const started = await engineInfo().catch((err: unknown) => {
    logger.warn({ err }, "agent: the node's engine does not answer yet; its stages are named after this host");
    return undefined;
  });
  const nodeName = started?.Name ?? hostname();
  // only a swarm node runs swarm sessions (an engine that does not answer yet fails here: the
  // agent must not answer before its node is prepared)
  const sessions = started?.Swarm?.LocalNodeState === 'inactive'
    ? (logger.info('agent: this engine is not in a swarm: its sessions network and firewall are left alone'), undefined)
    : await keepNodeForSessions({ docker: runtime.docker, logger });
  const preparer = createLocalHostPreparer({ policy: opts.policy, logger, hostRoot: opts.hostRoot, stagingNamespace: agentStagingNamespace(nodeName) });
  const swept = await preparer.sweep().catch((err: unknown) => {
    logger.warn({ err }, 'agent: sweeping stages left by an earlier run failed');
    return 0;
  });
  if (swept > 0) logger.info({ swept }, 'agent: released stages left by an earlier run');

  const version = await packageVersion();
  let identity: { at: number; value: Promise<AgentPingWire> } | undefined;
  const ask = async (): Promise<AgentPingWire> => {
    const [info, engine] = await Promise.all([engineInfo(), runtime.engineVersion()]);
    return { hostname: info.Name ?? 'unknown', nodeId: info.Swarm?.NodeID || null, version, engine: engine.version };
  };
  const app = await buildAgentServer({
    keys: () => ring,
    runtime,
    preparer,
    hostRoot: opts.hostRoot,
    logger,
    identity: () => {
      if (!identity || Date.now() - identity.at > IDENTITY_CACHE_MS) {
        const value = ask();
        identity = { at: Date.now(), value };
        value.catch(() => (identity = undefined));
      }
      return identity.value;
    },
  });
  await app.listen({ host: opts.listen.host, port: opts.listen.port });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : opts.listen.port;
  const shownHost = opts.listen.host.includes(':') ? `[${opts.listen.host}]` : opts.listen.host;
  const url = `http://${shownHost}:${port}`;
  logger.info({ url, hostRoot: opts.hostRoot, keyFile: opts.keyFile }, `agent: listening on ${url}`);
  return {
    app,
    url,
    async close() {
      clearInterval(watch);
      sessions?.stop();
      process.off('SIGHUP', onHup);
      await app.close();
      await preparer.close();
    },
  };
}
