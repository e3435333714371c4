// `tether agent`: the node agent (runs on every node of a swarm, as a global service or a plain
// process); `tether agent rotate-key`: a new join key through the server.
import type { Command } from 'commander';
import { loadAgentConfig } from '../../config.js';
import { action, clientFrom, withClientOptions, type ClientFlags } from '../command-support.js';
import { printJson, printLine } from '../output.js';
import type { AgentKeyRotation } from '../../api/wire/index.js';

export interface AgentFlags { listen?: string; keyFile?: string; hostRoot?: string; dockerHost?: string }

export function registerAgentCommands(program: Command): void {
  const agent = program.command('agent').description("run the node agent on this node: host preparation, exec and dial for the Tether server, authenticated by the join key")
    .option('--listen <host:port>', 'address to listen on (default: TETHER_AGENT_LISTEN or 0.0.0.0:7710)')
    .option('--key-file <file>', 'the join key file (default: TETHER_AGENT_KEY_FILE or /run/secrets/tether-agent-key)')
    .option('--host-root <dir>', "where this process sees the node's / (default: /; in the agent's container /host)")
    .option('--docker-host <address>', "the node's engine (default: DOCKER_HOST or /var/run/docker.sock)")
    .action(action(async (opts: AgentFlags) => {
      const config = loadAgentConfig(opts);
      // loaded on demand: the other commands need neither Fastify nor dockerode
      const { default: pino } = await import('pino');
      const { startAgent } = await import('../../agent/start.js');
      const logger = pino({ level: 'info' });
      const running = await startAgent({ ...config, logger });
      const stop = (signal: string) => {
        logger.info({ signal }, 'agent: shutting down');
        running.close().then(() => process.exit(0), (err: unknown) => {
          logger.error({ err }, 'agent: shutdown failed');
          process.exit(1);
        });
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    }));

  withClientOptions(agent.command('rotate-key').description("make a new join key on the server (the current one stays accepted as the previous key); on a swarm, a new Swarm secret for the tether-agent service"))
    .action(action(async (opts: ClientFlags) => {
      const r = await clientFrom(opts).post<AgentKeyRotation>('/agents/rotate-key');
      if (opts.json) return printJson(r);
      printLine(`new agent key ${r.key_id} written to ${r.key_file}${r.previous_key_id ? ` (previous key ${r.previous_key_id} still accepted)` : ''}`);
      if (r.swarm) printLine(`swarm: secret ${r.swarm.secret} ${r.swarm.service ? `now used by service ${r.swarm.service}` : 'created (no tether-agent service found to update)'}`);
      else printLine('not a swarm: copy the key file to every agent (their --key-file) and send them SIGHUP, or restart them');
    }));
}
