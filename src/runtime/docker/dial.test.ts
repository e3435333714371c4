import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type Dockerode from 'dockerode';
import { addressOf } from './dial.js';

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
