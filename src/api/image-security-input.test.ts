import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseImageSecurity } from './image-security-input.js';

const fields = (v: unknown) => {
  const r = parseImageSecurity('security', v);
  assert.equal(r.ok, false, `expected ${JSON.stringify(v)} to be refused`);
  return r.ok ? [] : r.validations.map((x) => x.field);
};

describe('parseImageSecurity', () => {
  it('keeps valid overrides, names capabilities as the engine does, null = the defaults', () => {
    assert.deepEqual(parseImageSecurity('security', {
      network: 'lab-net', cap_add: ['cap_sys_ptrace', 'SYS_NICE', 'SYS_NICE'], cap_drop: ['ALL'], no_new_privileges: false, pids_limit: 4096,
    }), { ok: true, security: { network: 'lab-net', cap_add: ['SYS_PTRACE', 'SYS_NICE'], cap_drop: ['ALL'], no_new_privileges: false, pids_limit: 4096 } });
    assert.deepEqual(parseImageSecurity('security', { pids_limit: null }), { ok: true, security: { pids_limit: null } });
    assert.deepEqual(parseImageSecurity('security', null), { ok: true, security: {} });
  });

  it('refuses every bad setting, each named by its field', () => {
    assert.deepEqual(fields({ cap_add: ['NET_RAW', 'CAP_FLY'] }), ['security.cap_add[1]']);
    assert.deepEqual(fields({ cap_add: ['ALL'] }), ['security.cap_add[0]']);
    assert.deepEqual(fields({ cap_add: 'SYS_ADMIN' }), ['security.cap_add']);
    assert.deepEqual(fields({ cap_add: ['KILL'], cap_drop: ['KILL'] }), ['security.cap_drop']);
    assert.deepEqual(fields({ pids_limit: 5 }), ['security.pids_limit']);
    assert.deepEqual(fields({ pids_limit: 1.5 }), ['security.pids_limit']);
    assert.deepEqual(fields({ pids_limit: '4096' }), ['security.pids_limit']);
    assert.deepEqual(fields({ no_new_privileges: 'no' }), ['security.no_new_privileges']);
    assert.deepEqual(fields({ network: 'host' }), ['security.network']);
    assert.deepEqual(fields({ network: 'container:abc' }), ['security.network']);
    assert.deepEqual(fields({ network: '' }), ['security.network']);
    assert.deepEqual(fields({ privileged: true }), ['security.privileged']);
    assert.deepEqual(fields(['NET_RAW']), ['security']);
    assert.deepEqual(fields({ pids_limit: 0, network: 'host', extra: 1 }), ['security.extra', 'security.network', 'security.pids_limit']);
  });

  it('says what is wrong and what is expected', () => {
    const r = parseImageSecurity('security', { cap_add: ['FLY'], network: 'host' });
    assert.ok(!r.ok);
    const detail = Object.fromEntries(r.validations.map((v) => [v.field, v.detail]));
    assert.match(detail['security.cap_add[0]'] ?? '', /"FLY" is not a Linux capability; known: .*SYS_PTRACE/);
    assert.match(detail['security.network'] ?? '', /host.*Tether API/);
  });
});
