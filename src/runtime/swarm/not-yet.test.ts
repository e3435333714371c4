// What the swarm backend does not do yet says so plainly (no engine needed: it fails before
// any call; the rest of the backend is covered against a real swarm in test/runtime-swarm.test.ts).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSwarmRuntime } from './index.js';
import { isRuntimeError } from '../errors.js';

describe('swarm runtime: exec and address', () => {
  const runtime = createSwarmRuntime({ dockerHost: 'tcp://127.0.0.1:9' });
  it('refuses exec (the terminal) with "not yet on swarm"', async () => {
    await assert.rejects(runtime.exec('svc', { cmd: ['sh'], tty: true, stdin: true }), (e) => isRuntimeError(e, 'unavailable') && /not yet on swarm/.test((e as Error).message));
  });
  it('refuses address (the app proxy) with "not yet on swarm"', async () => {
    await assert.rejects(runtime.address('svc'), (e) => isRuntimeError(e, 'unavailable') && /not yet on swarm/.test((e as Error).message));
  });
});
