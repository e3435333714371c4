// `tether node list [--json]` (administrators): the nodes sessions run on (GET /nodes): zone,
// Swarm's availability and state, whether the node's agent answers, and session counts.
import type { Command } from 'commander';
import { action, clientFrom, withClientOptions, type ClientFlags } from '../command-support.js';
import { printJson, printLine, table } from '../output.js';
import type { Node } from '../../api/wire/index.js';

function agentText(a: Node['agent']): string {
  if (a.state === 'answers') return `answers (${a.version})`;
  return a.state === 'none' ? `none: ${a.reason}` : `not answering: ${a.reason}`;
}

export function registerNodeCommands(program: Command): void {
  const node = program.command('node').description('the nodes sessions run on (administrators)');
  withClientOptions(node.command('list').description('list the nodes: zone, availability, state, agent, sessions'))
    .action(action(async (opts: ClientFlags) => {
      const nodes = await clientFrom(opts).get<Node[]>('/nodes');
      if (opts.json) return printJson(nodes);
      printLine(table(['ID', 'HOSTNAME', 'ZONE', 'AVAILABILITY', 'STATE', 'SESSIONS', 'LOST', 'AGENT'], nodes.map((n) => [
        n.id, n.hostname, n.zone, n.availability, n.state, n.sessions.active, n.sessions.lost, agentText(n.agent),
      ])));
    }));
}
