// Before an agent answers, its swarm node is ready for sessions: the config-only network that
// gives the sessions' swarm network its options on this node (inter-container traffic off, its
// subnet), and the firewall of that subnet in the node's network namespace (the agent runs with
// the host's network): new connections from sessions to the node itself are dropped (its own
// port included: the app proxy dials sessions from inside their namespace, not through the
// bridge), and so is traffic between two sessions, because the
// engine's own enforcement of enable_icc=false needs its iptables rules, which an engine
// started with --iptables=false never makes. Placement sends sessions only to nodes whose agent
// answers, hence prepared ones. The rules are checked again periodically (idempotent), so a
// flushed firewall is put back without a restart.
import type Dockerode from 'dockerode';
import type { Logger } from 'pino';
import { ensureNodeSessionConfig } from '../runtime/swarm/node-session-network.js';
import { ensureSessionFirewall, type IptablesRunner } from '../runtime/docker/session-firewall.js';

export const SWARM_FIREWALL_CHAIN = 'TETHER-SWARM-SESSIONS-IN';
const RECHECK_MS = 60_000;

export interface NodeSessionsOptions {
  docker: Dockerode;
  logger: Logger;
  run?: IptablesRunner;
}

/** Resolves with the sessions' subnet on this node. */
export async function prepareNodeForSessions(o: NodeSessionsOptions): Promise<string> {
  const subnet = await ensureNodeSessionConfig(o.docker);
  await ensureSessionFirewall({
    from: ['-s', subnet], chain: SWARM_FIREWALL_CHAIN, between: ['-s', subnet, '-d', subnet], allowTcpPorts: [], denyTcpPorts: [],
    ...(o.run ? { run: o.run } : {}),
  });
  return subnet;
}

/** Prepares the node (rejects when it cannot: the agent must not answer then) and keeps it so; stop() ends the checks. */
export async function keepNodeForSessions(o: NodeSessionsOptions): Promise<{ stop(): void }> {
  let subnet: string;
  try {
    subnet = await prepareNodeForSessions(o);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new Error(`agent: this swarm node cannot be prepared for sessions, so the agent does not start (no session may land here): ${why}`, { cause: err });
  }
  o.logger.info({ subnet, chain: SWARM_FIREWALL_CHAIN }, "agent: node prepared for sessions: their network's config on this engine, "
    + 'no new connections from sessions to this node nor between them');
  const timer = setInterval(() => {
    prepareNodeForSessions(o).catch((err: unknown) => o.logger.error({ err }, "agent: the sessions' network or firewall on this node could not be checked again"));
  }, RECHECK_MS);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
