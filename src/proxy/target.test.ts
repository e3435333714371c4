import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type Dockerode from 'dockerode';
import { addressOf, ContainerAddresses } from './target.js';

/** An engine that answers inspect with one address per container and counts the calls. */
function fakeEngine(ips: Record<string, string>) {
  const calls: string[] = [];
  const docker = {
    getContainer: (id: string) => ({
      inspect: async () => {
        calls.push(id);
        const ip = ips[id];
        if (ip === undefined) throw new Error('no such container');
        return { NetworkSettings: { Networks: { bridge: { IPAddress: ip } } } };
      },
    }),
  } as unknown as Dockerode;
  return { docker, calls };
}

describe('container addresses', () => {
  it('asks the engine once per container, again after forget or after a minute', async () => {
    let t = 0;
    const { docker, calls } = fakeEngine({ c1: '172.17.0.2', c2: '172.17.0.3' });
    const addresses = new ContainerAddresses(docker, () => t);
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
    const { docker, calls } = fakeEngine({});
    const addresses = new ContainerAddresses(docker);
    assert.equal(await addresses.get('gone'), undefined);
    assert.equal(await addresses.get('gone'), undefined);
    assert.equal(calls.length, 2);
  });

  it('keeps at most 256 addresses, dropping the oldest', async () => {
    const ips = Object.fromEntries(Array.from({ length: 257 }, (_, i) => [`c${i}`, `10.0.${Math.floor(i / 256)}.${i % 256}`]));
    const { docker, calls } = fakeEngine(ips);
    const addresses = new ContainerAddresses(docker);
    for (let i = 0; i < 257; i++) await addresses.get(`c${i}`);
    await addresses.get('c256');
    await addresses.get('c1');
    assert.equal(calls.length, 257, 'the newest and the second oldest are still known');
    await addresses.get('c0');
    assert.equal(calls.length, 258, 'the oldest was dropped');
  });
});

describe('addressOf', () => {
  const info = (labels: Record<string, string> | undefined, networks: Record<string, string>) =>
    ({ Config: { Labels: labels }, NetworkSettings: { Networks: Object.fromEntries(Object.entries(networks).map(([k, ip]) => [k, { IPAddress: ip }])) } }) as unknown as Dockerode.ContainerInspectInfo;

  it('reads the address on the network the session joined, not the first one listed', () => {
    assert.equal(addressOf(info({ 'tether.network': 'tether-sessions' }, { bridge: '172.17.0.5', 'tether-sessions': '172.18.0.7' })), '172.18.0.7');
    assert.equal(addressOf(info({ 'tether.network': 'lab-net' }, { bridge: '172.17.0.5', 'lab-net': '10.9.0.2' })), '10.9.0.2');
    assert.equal(addressOf(info(undefined, { bridge: '172.17.0.5', 'tether-sessions': '172.18.0.7' })), '172.18.0.7', 'unlabelled: the sessions network first');
  });

  it('has no address when the labelled network is missing; an old unlabelled container keeps its only one', () => {
    assert.equal(addressOf(info({ 'tether.network': 'tether-sessions' }, { bridge: '172.17.0.5' })), undefined);
    assert.equal(addressOf(info(undefined, { bridge: '172.17.0.5' })), '172.17.0.5');
  });
});
