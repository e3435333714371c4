import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LoginThrottle } from './login-throttle.js';

const OPTIONS = { freeFailures: 3, addressFreeFailures: 10, firstDelayMs: 1000, maxDelayMs: 8000, forgetAfterMs: 60_000 };

describe('LoginThrottle', () => {
  it('per (account, address): free failures, then growing delays up to the cap, case-insensitively', () => {
    let now = 0;
    const t = new LoginThrottle(OPTIONS, () => now);
    for (let i = 0; i < 3; i++) {
      assert.equal(t.retryAfter('Alice', '10.0.0.1'), 0);
      t.recordFailure('Alice', '10.0.0.1');
    }
    assert.equal(t.retryAfter('Alice', '10.0.0.1'), 0, 'three failures are free');
    const waits: number[] = [];
    for (let i = 0; i < 6; i++) {
      t.recordFailure('alice', '10.0.0.1');
      const wait = t.retryAfter('ALICE', '10.0.0.1');
      waits.push(wait);
      now += wait * 1000;
      assert.equal(t.retryAfter('alice', '10.0.0.1'), 0, 'allowed again once the delay is over');
    }
    assert.deepEqual(waits, [1, 2, 4, 8, 8, 8]);
  });

  it('never refuses the same account from another address (no account lock-out)', () => {
    const t = new LoginThrottle(OPTIONS, () => 0);
    for (let i = 0; i < 9; i++) t.recordFailure('admin', '10.6.6.6');
    assert.ok(t.retryAfter('admin', '10.6.6.6') > 0);
    assert.equal(t.retryAfter('admin', '10.0.0.2'), 0);
  });

  it('per address over all accounts: a higher threshold, then delays; a success resets only its own pair', () => {
    const t = new LoginThrottle(OPTIONS, () => 0);
    for (let i = 0; i < 10; i++) {
      assert.equal(t.retryAfter(`u${i}`, '1.2.3.4'), 0);
      t.recordFailure(`u${i}`, '1.2.3.4');
    }
    assert.equal(t.retryAfter('fresh', '1.2.3.4'), 0, 'ten failures over ten accounts are free');
    t.recordFailure('u10', '1.2.3.4');
    assert.equal(t.retryAfter('fresh', '1.2.3.4'), 1, 'the eleventh delays the address for any account');
    assert.equal(t.retryAfter('fresh', '5.6.7.8'), 0);
    t.recordSuccess('fresh', '1.2.3.4');
    assert.equal(t.retryAfter('fresh', '1.2.3.4'), 1, 'a success does not reset the address');
  });

  it('forgets a counter after a quiet period', () => {
    let now = 0;
    const t = new LoginThrottle(OPTIONS, () => now);
    for (let i = 0; i < 5; i++) t.recordFailure('bob', '10.0.0.1');
    assert.equal(t.retryAfter('bob', '10.0.0.1'), 2);
    now = 60_000;
    t.recordFailure('bob', '10.0.0.1');
    assert.equal(t.retryAfter('bob', '10.0.0.1'), 0, 'the count started over: one failure, free');
  });

  it('keys cannot collide through a NUL in the username', () => {
    const t = new LoginThrottle({ ...OPTIONS, freeFailures: 0 }, () => 0);
    t.recordFailure('a\0b', 'c');
    assert.ok(t.retryAfter('a\0b', 'c') > 0);
    assert.equal(t.retryAfter('a', 'b\0c'), 0);
  });
});
