import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createOptionsFor } from './container-spec.js';
import type { ContainerSpec } from '../types.js';
import { DEFAULT_CAPABILITIES } from '../hardening.js';

const base: ContainerSpec = {
  name: 'tether-s1', image: 'img:1', user: null, mounts: [], sessionId: 's1', userId: 'u1', imageId: 'i1', cores: null, memory: null,
};

describe('createOptionsFor', () => {
  it('labels the container and uses the Mounts API with ReadOnly for ro', () => {
    const o = createOptionsFor({ ...base, mounts: [{ source: '/srv/a', target: '/a', readOnly: true }, { source: '/srv/b', target: '/b', readOnly: false }] });
    assert.deepEqual(o.Labels, { tether: '1', 'tether.session': 's1', 'tether.user': 'u1', 'tether.image': 'i1', 'tether.network': 'tether-sessions' });
    assert.deepEqual(o.HostConfig?.Mounts, [
      { Type: 'bind', Source: '/srv/a', Target: '/a', ReadOnly: true },
      { Type: 'bind', Source: '/srv/b', Target: '/b', ReadOnly: false },
    ]);
    assert.equal(o.HostConfig?.Binds, undefined, 'never Binds: the engine would create a missing source');
    assert.equal(o.name, 'tether-s1');
    assert.equal(createOptionsFor({ ...base, instanceId: 'inst-1' }).Labels?.['tether.instance'], 'inst-1', 'the owning instance is labelled');
  });

  it('sets user and limits only when given', () => {
    assert.equal(createOptionsFor(base).User, undefined);
    assert.equal(createOptionsFor(base).HostConfig?.NanoCpus, undefined);
    const o = createOptionsFor({ ...base, user: '1000:1000', cores: 1.5, memory: 2 ** 30 });
    assert.equal(o.User, '1000:1000');
    assert.equal(o.HostConfig?.NanoCpus, 1_500_000_000);
    assert.equal(o.HostConfig?.Memory, 2 ** 30);
  });

  it('confines by default: the sessions network, every capability dropped but the default few, no-new-privileges, a pids limit', () => {
    const h = createOptionsFor(base).HostConfig;
    assert.equal(h?.NetworkMode, 'tether-sessions');
    assert.deepEqual(h?.CapDrop, ['ALL']);
    assert.deepEqual(h?.CapAdd, [...DEFAULT_CAPABILITIES]);
    assert.ok(!h?.CapAdd?.includes('NET_RAW'), 'no raw packets on the shared bridge');
    assert.deepEqual(h?.SecurityOpt, ['no-new-privileges']);
    assert.equal(h?.PidsLimit, 1024);
    assert.equal(h?.Privileged, undefined);
  });

  it('translates a resolved hardening: its network (labelled for the proxy), capabilities, no-new-privileges off, no pids limit', () => {
    const o = createOptionsFor({ ...base, hardening: { network: 'lab-net', capabilities: ['SYS_PTRACE'], noNewPrivileges: false, pidsLimit: null } });
    assert.equal(o.HostConfig?.NetworkMode, 'lab-net');
    assert.equal(o.Labels?.['tether.network'], 'lab-net');
    assert.deepEqual(o.HostConfig?.CapDrop, ['ALL']);
    assert.deepEqual(o.HostConfig?.CapAdd, ['SYS_PTRACE']);
    assert.deepEqual(o.HostConfig?.SecurityOpt, []);
    assert.equal(o.HostConfig?.PidsLimit, -1, 'null = no limit, said as -1');
    assert.equal(createOptionsFor({ ...base, hardening: { network: 'x', capabilities: [], noNewPrivileges: true, pidsLimit: 4096 } }).HostConfig?.PidsLimit, 4096);
  });
});
