// A node agent run as a plain process (what docs/multi-host.md describes for hosts without the
// global service), started by plain-agent.ts inside a lab node's network namespace: the node's
// engine (DOCKER_HOST), the join key (TETHER_AGENT_KEY_FILE), listening on LISTEN_HOST:LISTEN_PORT.
// Prints "listening" once it accepts connections.
import { hostname } from 'node:os';
import pino from 'pino';
import { buildAgentServer } from '../../src/agent/server.js';
import { readKeyFile } from '../../src/agent/keys.js';
import { createDockerRuntime } from '../../src/runtime/docker/index.js';
import { createLocalHostPreparer } from '../../src/hostprep/index.js';

const env = process.env;
const ring = await readKeyFile(env.TETHER_AGENT_KEY_FILE ?? '');
const runtime = createDockerRuntime({ dockerHost: env.DOCKER_HOST });
const preparer = createLocalHostPreparer({ minWorkers: 1, maxWorkers: 1 });
const app = await buildAgentServer({
  keys: () => ring, runtime, preparer, hostRoot: '/', logger: pino({ level: 'warn' }),
  identity: async () => ({ hostname: hostname(), nodeId: null, version: 'test', engine: (await runtime.engineVersion()).version }),
});
await app.listen({ host: env.LISTEN_HOST ?? '127.0.0.1', port: Number(env.LISTEN_PORT ?? 0) });
process.stdout.write('listening\n');
const stop = () => void app.close().then(() => preparer.close()).finally(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
