import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { serviceSpecFor } from './service-spec.js';
import { SWARM_SESSION_NETWORK } from './session-network.js';
import { DEFAULT_HARDENING } from '../hardening.js';
import type { ContainerSpec } from '../types.js';

const spec: ContainerSpec = { name: 'tether-s1', image: 'img', user: null, mounts: [], sessionId: 's1', userId: 'u', imageId: 'i', cores: null, memory: null };
const opts = { stopGraceSeconds: 2, apiVersion: '1.41' };

describe('serviceSpecFor: the network a session joins', () => {
  it("joins the swarm's sessions network by default, labelled so that the node's agent dials the session there", () => {
    const s = serviceSpecFor(spec, opts);
    assert.deepEqual(s.TaskTemplate.Networks, [{ Target: SWARM_SESSION_NETWORK }]);
    assert.equal(s.Labels['tether.network'], SWARM_SESSION_NETWORK);
    assert.equal(s.TaskTemplate.ContainerSpec.Labels['tether.network'], SWARM_SESSION_NETWORK);
  });

  it('joins the network an image names instead', () => {
    const s = serviceSpecFor({ ...spec, hardening: { ...DEFAULT_HARDENING, network: 'lab-overlay' } }, opts);
    assert.deepEqual(s.TaskTemplate.Networks, [{ Target: 'lab-overlay' }]);
    assert.equal(s.TaskTemplate.ContainerSpec.Labels['tether.network'], 'lab-overlay');
  });
});
