// The sessions' firewall at server start (runtime/docker/session-firewall.ts): sessions
// cannot open connections to this host, the API included, unless TETHER_SESSIONS_REACH_API=1
// lets them reach the API's port. When the rules cannot be installed and the API listens
// beyond loopback, the server refuses to start rather than serve sessions it cannot keep out.
import type { Logger } from 'pino';
import type { ListenAddress } from './config.js';
import { ensureSessionFirewall, type IptablesRunner } from './runtime/docker/session-firewall.js';

export interface SessionFirewallSetup {
  /** the engine runs on this host (its bridge is here) */
  local: boolean;
  listen: ListenAddress;
  reachApi: boolean;
  logger: Logger;
  run?: IptablesRunner;
}

export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

export async function setUpSessionFirewall(o: SessionFirewallSetup): Promise<void> {
  if (!o.local) {
    o.logger.warn('the Docker Engine is remote: no sessions firewall on this host; keep the API out of the sessions\' reach on the engine\'s host');
    return;
  }
  const port = o.listen.port;
  if (o.reachApi && port === 0) throw new Error('TETHER_SESSIONS_REACH_API=1 needs a fixed port in TETHER_LISTEN (not 0): the sessions\' firewall opens that port');
  try {
    await ensureSessionFirewall({
      ...(o.run ? { run: o.run } : {}),
      allowTcpPorts: o.reachApi ? [port] : [],
      denyTcpPorts: !o.reachApi && port !== 0 ? [port] : [],
    });
    o.logger.info({ api_reachable_from_sessions: o.reachApi }, 'sessions firewall in place: sessions cannot open connections to this host' + (o.reachApi ? ` except the API port ${port}` : ''));
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    if (!isLoopbackHost(o.listen.host) && !o.reachApi) {
      throw new Error(`sessions firewall: ${why}. The API listens on ${o.listen.host}, so sessions could reach it: make iptables work, listen on 127.0.0.1 (TETHER_LISTEN), or allow it explicitly with TETHER_SESSIONS_REACH_API=1`, { cause: err });
    }
    o.logger.warn({ err }, 'sessions firewall not installed: sessions can open connections to this host\'s services (the API listens on loopback only, which they cannot reach)');
  }
}
