// The HostPreparer contract through a node agent: the real agent server on a loopback port,
// the real local host preparer behind it, every request and answer signed.
import { createAgentClient } from '../src/agent/http-client.js';
import { newKeyText } from '../src/agent/keys.js';
import { hostPreparerContract } from './hostprep-contract.js';
import { startTestAgent } from './helpers/agent.js';
import { ensureDocker } from './helpers/docker.js';

hostPreparerContract('node agent over HTTP (signed)', async () => {
  await ensureDocker();
  const ring = { current: Buffer.from(newKeyText()) };
  const agent = await startTestAgent(ring, { stagingNamespace: `agent-contract-${process.pid}` });
  const client = createAgentClient({ url: agent.url, keys: () => ring });
  return {
    ...client.preparer,
    async close() {
      client.close();
      await agent.close();
    },
  };
}, { containerLabels: { tether: '1' } });
