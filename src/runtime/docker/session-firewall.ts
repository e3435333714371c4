// Keeps sessions away from this host's own services (the Tether API above all): new
// connections arriving from the sessions' bridge are dropped in the host's INPUT chain;
// replies to connections the host opened (the app proxy) pass. Only for a local engine: the
// bridge must be on this host. An administrator may let sessions reach given TCP ports.
// A swarm node's agent installs the same for the swarm sessions' subnet, plus the drop of
// traffic between two sessions (its engine may run without iptables rules of its own, which is
// what enforces enable_icc=false).
//
//   INPUT <from> -j <chain>                               (inserted first; from: -i tether-sessions)
//   <chain>: ESTABLISHED,RELATED -> RETURN; tcp dport <allowed> -> RETURN; DROP
//   FORWARD <between> -j DROP                             (when given; inserted first)
import { execFile } from 'node:child_process';
import { SESSION_BRIDGE } from '../hardening.js';

export const FIREWALL_CHAIN = 'TETHER-SESSIONS-IN';

/** Runs iptables with arguments (never a shell); resolves with the exit code, rejects when it cannot run. */
export type IptablesRunner = (args: string[]) => Promise<{ code: number; stderr: string }>;

export const runIptables: IptablesRunner = (args) => new Promise((resolve, reject) => {
  // -w: wait for the xtables lock (the engine and other Tether processes edit rules too)
  execFile('iptables', ['-w', ...args], { timeout: 30_000 }, (err, _stdout, stderr) => {
    if (!err) return resolve({ code: 0, stderr });
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'number') return resolve({ code, stderr });
    reject(new Error(`iptables ${args.join(' ')}: could not run (${err.message}); is iptables installed and Tether running as root?`));
  });
});

export interface SessionFirewallOptions {
  /** what traffic from sessions matches; default arriving on the single engine's bridge (-i tether-sessions) */
  from?: string[];
  /** the chain of those INPUT rules; default TETHER-SESSIONS-IN */
  chain?: string;
  /** also drop what matches this in FORWARD: one session to another (bridged traffic passes FORWARD through br_netfilter) */
  between?: string[];
  /** TCP ports of this host that sessions may open connections to (e.g. the API's when allowed) */
  allowTcpPorts: number[];
  /** ports whose allowance is taken back (e.g. the API's when not allowed): a setting turned off takes effect */
  denyTcpPorts: number[];
  run?: IptablesRunner;
}

async function must(run: IptablesRunner, args: string[]): Promise<void> {
  const r = await run(args);
  if (r.code !== 0) throw new Error(`iptables ${args.join(' ')} failed (exit ${r.code}): ${r.stderr.trim()}`);
}

/** Adds the rule unless present (-C checks); `position` 1 inserts first, else appends. */
async function ensureRule(run: IptablesRunner, chain: string, rule: string[], position?: 1): Promise<void> {
  if ((await run(['-C', chain, ...rule])).code === 0) return;
  await must(run, position ? ['-I', chain, '1', ...rule] : ['-A', chain, ...rule]);
}

async function removeRule(run: IptablesRunner, chain: string, rule: string[]): Promise<void> {
  // duplicates may exist (two processes added it at once): remove until none is left
  for (let i = 0; i < 16 && (await run(['-C', chain, ...rule])).code === 0; i++) await must(run, ['-D', chain, ...rule]);
}

const allowRule = (port: number) => ['-p', 'tcp', '--dport', String(port), '-j', 'RETURN'];

/** Idempotent; safe to call at every start and from several processes. */
export async function ensureSessionFirewall(o: SessionFirewallOptions): Promise<void> {
  const run = o.run ?? runIptables;
  const from = o.from ?? ['-i', SESSION_BRIDGE];
  const chain = o.chain ?? FIREWALL_CHAIN;
  const created = await run(['-N', chain]);
  if (created.code !== 0 && !/exists/i.test(created.stderr)) throw new Error(`iptables -N ${chain} failed (exit ${created.code}): ${created.stderr.trim()}`);
  // the DROP goes last, then everything else is inserted above it
  await ensureRule(run, chain, ['-j', 'DROP']);
  for (const port of o.denyTcpPorts) await removeRule(run, chain, allowRule(port));
  for (const port of o.allowTcpPorts) await ensureRule(run, chain, allowRule(port), 1);
  await ensureRule(run, chain, ['-m', 'conntrack', '--ctstate', 'ESTABLISHED,RELATED', '-j', 'RETURN'], 1);
  await ensureRule(run, 'INPUT', [...from, '-j', chain], 1);
  if (o.between) await ensureRule(run, 'FORWARD', [...o.between, '-j', 'DROP'], 1);
}
