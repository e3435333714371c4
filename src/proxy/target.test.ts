import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ContainerAddresses } from './target.js';

/** A runtime that answers address() with one address per container and counts the calls (the real lookup: runtime/docker/address.ts). */
function fakeRuntime(ips: Record<string, string>) {
  const calls: string[] = [];
  const runtime = {
    address: async (id: string) => {
      calls.push(id);
      return ips[id];
    },
  };
  return { runtime, calls };
}

describe('container addresses', () => {
  it('asks the engine once per container, again after forget or after a minute', async () => {
    let t = 0;
    const { runtime, calls } = fakeRuntime({ c1: '172.17.0.2', c2: '172.17.0.3' });
    const addresses = new ContainerAddresses(runtime, () => t);
    assert.equal(await addresses.get('c1'), '172.17.0.2');
    assert.equal(await addresses.get('c1'), '172.17.0.2');
    assert.equal(await addresses.get('c2'), '172.17.0.3');
    assert.deepEqual(calls, ['c1', 'c2']);
    addresses.forget('c1');
    assert.equal(await addresses.get('c1'), '172.17.0.2');
    assert.deepEqual(calls, ['c1', 'c2', 'c1']);
    t += 60_001;
    await addresses.get('c2');
    assert.deepEqual(calls, ['c1', 'c2', 'c1', 'c2']);
  });

  it('remembers no miss: a container without an address is asked for every time', async () => {
    const { runtime, calls } = fakeRuntime({});
    const addresses = new ContainerAddresses(runtime);
    assert.equal(await addresses.get('gone'), undefined);
    assert.equal(await addresses.get('gone'), undefined);
    assert.equal(calls.length, 2);
  });

  it('keeps at most 256 addresses, dropping the oldest', async () => {
    const ips = Object.fromEntries(Array.from({ length: 257 }, (_, i) => [`c${i}`, `10.0.${Math.floor(i / 256)}.${i % 256}`]));
    const { runtime, calls } = fakeRuntime(ips);
    const addresses = new ContainerAddresses(runtime);
    for (let i = 0; i < 257; i++) await addresses.get(`c${i}`);
    await addresses.get('c256');
    await addresses.get('c1');
    assert.equal(calls.length, 257, 'the newest and the second oldest are still known');
    await addresses.get('c0');
    assert.equal(calls.length, 258, 'the oldest was dropped');
  });
});
