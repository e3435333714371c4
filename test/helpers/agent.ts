// A node agent for tests: the real agent server (src/agent/server.ts) in this process on a
// random loopback port, with the local engine and a local host preparer, its log lines kept.
import { hostname } from 'node:os';
import { Writable } from 'node:stream';
import pino from 'pino';
import { buildAgentServer } from '../../src/agent/server.js';
import type { KeyRing } from '../../src/agent/signing.js';
import { createLocalHostPreparer } from '../../src/hostprep/index.js';
import { createDockerRuntime } from '../../src/runtime/docker/index.js';

export interface TestAgent {
  url: string;
  port: number;
  /** the agent's log lines (JSON) so far */
  logs: string[];
  /** swap the agent's keys (what a reloaded key file does) */
  setKeys(ring: KeyRing): void;
  close(): Promise<void>;
}

export async function startTestAgent(ring: KeyRing, o: { stagingNamespace?: string } = {}): Promise<TestAgent> {
  let keys = ring;
  const logs: string[] = [];
  const sink = new Writable({ write(chunk: Buffer, _enc, done) { logs.push(...chunk.toString('utf8').split('\n').filter(Boolean)); done(); } });
  const logger = pino({ level: 'info' }, sink);
  const runtime = createDockerRuntime();
  const preparer = createLocalHostPreparer({ minWorkers: 1, maxWorkers: 4, logger, stagingNamespace: o.stagingNamespace ?? `agent-test-${process.pid}` });
  const app = await buildAgentServer({
    keys: () => keys, runtime, preparer, hostRoot: '/', logger,
    identity: async () => ({ hostname: hostname(), nodeId: null, version: 'test', engine: (await runtime.engineVersion()).version }),
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    logs,
    setKeys: (r) => { keys = r; },
    async close() {
      await app.close();
      await preparer.close();
    },
  };
}
