// `tether server`: run the API (flags over TETHER_* environment over defaults).
import type { Command } from 'commander';
import { loadConfig } from '../../config.js';
import { action, withJsonOption } from '../command-support.js';

export interface ServerFlags { runtime?: string; listen?: string; dataDir?: string; database?: string; json?: boolean; seedDemo?: boolean }

export function registerServerCommand(program: Command): void {
  withJsonOption(program.command('server').description('start the Tether server (default 127.0.0.1:8080)')
    .option('--listen <host:port>', 'address to listen on (default: TETHER_LISTEN or 127.0.0.1:8080)')
    .option('--runtime <docker|swarm>', 'where sessions run: one Docker Engine, or services on the Docker Swarm whose manager DOCKER_HOST names (default: TETHER_RUNTIME or docker)')
    .option('--data-dir <dir>', 'data directory (default: TETHER_DATA_DIR or ~/.local/share/tether)')
    .option('--database <url>', 'postgres://... or a SQLite file (default: <data-dir>/tether.db)')
    .option('--seed-demo', 'on start, add the demo image "demo" (tether/demo-workspace:1, /srv/tether/share -> /share) when none exists; an existing one is left alone'))
    .action(action(async (opts: ServerFlags) => {
      const config = loadConfig({ runtime: opts.runtime, listen: opts.listen, dataDir: opts.dataDir, database: opts.database });
      // Logs are JSON lines (pino) either way; --json only changes the one-off admin notice.
      // loaded on demand: the other commands need neither Fastify nor the store drivers
      const { startServer } = await import('../../server.js');
      const { metricsPlugin, sessionsPlugin } = await import('../../server-sessions.js');
      const { workspacesPlugin } = await import('../../server-workspaces.js');
      const print = (line: string) => process.stdout.write(opts.json ? `${JSON.stringify({ notice: line })}\n` : `${line}\n`);
      const features = [metricsPlugin(), sessionsPlugin(config), workspacesPlugin({ seedDemo: Boolean(opts.seedDemo), print })];
      await startServer(config, { features, print });
    }));
}
