// Without node agents the swarm backend cannot exec or dial, and says so plainly (no engine
// needed: it fails before any call; with agents it is covered against a real swarm in
// test/runtime-swarm.test.ts and test/swarm-terminal-proxy.test.ts).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSwarmRuntime } from './index.js';
import { isRuntimeError } from '../errors.js';

describe('swarm runtime without node agents: exec and dial', () => {
  const runtime = createSwarmRuntime({ dockerHost: 'tcp://127.0.0.1:9' });
  it('refuses exec (the terminal) with "not yet on swarm"', async () => {
    await assert.rejects(runtime.exec('svc', { cmd: ['sh'], tty: true, stdin: true }), (e) => isRuntimeError(e, 'unavailable') && /not yet on swarm/.test((e as Error).message));
  });
  it('refuses dial (the app proxy) with "not yet on swarm"', async () => {
    await assert.rejects(runtime.dial('svc', 8080), (e) => isRuntimeError(e, 'unavailable') && /not yet on swarm/.test((e as Error).message));
  });
});
