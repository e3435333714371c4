import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BUILT_IN_CONTAINER_DEFAULTS, confinementFor, hardeningFor } from './container-confinement.js';
import { DEFAULT_CAPABILITIES } from '../runtime/hardening.js';

const defaults = { cores: 2, memory: 4 * 1024 ** 3, pidsLimit: 1024 };

describe('container confinement', () => {
  it('gives an image without settings the defaults: sessions network, the default capabilities, no-new-privileges, the server limits', () => {
    assert.deepEqual(confinementFor({ cores: null, memory: null }, defaults), {
      cores: 2, memory: 4 * 1024 ** 3,
      hardening: { network: 'tether-sessions', capabilities: [...DEFAULT_CAPABILITIES].sort(), noNewPrivileges: true, pidsLimit: 1024 },
    });
    assert.equal(BUILT_IN_CONTAINER_DEFAULTS.pidsLimit, 1024);
  });

  it('lets the image override each part; its own cores and memory win over the server defaults', () => {
    const c = confinementFor({ cores: 0.5, memory: 2 ** 30, security: { network: 'none', cap_add: ['SYS_PTRACE'], cap_drop: ['DAC_OVERRIDE', 'KILL'], no_new_privileges: false, pids_limit: null } }, defaults);
    assert.equal(c.cores, 0.5);
    assert.equal(c.memory, 2 ** 30);
    assert.deepEqual(c.hardening, {
      network: 'none', capabilities: ['CHOWN', 'FOWNER', 'NET_BIND_SERVICE', 'SETGID', 'SETUID', 'SYS_PTRACE'], noNewPrivileges: false, pidsLimit: null,
    });
    assert.deepEqual(hardeningFor({ security: { cap_drop: ['ALL'], cap_add: ['KILL'] } }, defaults).capabilities, ['KILL']);
    assert.equal(hardeningFor({ security: { pids_limit: 4096 } }, defaults).pidsLimit, 4096);
    assert.equal(hardeningFor({}, { ...defaults, pidsLimit: null }).pidsLimit, null, 'server default "no limit"');
  });

  it('server defaults of null mean no limit', () => {
    const c = confinementFor({ cores: null, memory: null }, { cores: null, memory: null, pidsLimit: 1024 });
    assert.equal(c.cores, null);
    assert.equal(c.memory, null);
  });
});
