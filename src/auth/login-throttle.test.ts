import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LoginThrottle } from './login-throttle.js';

describe('LoginThrottle', () => {
  it('blocks a username after max failures for the rest of the window, case-insensitively', () => {
    let now = 0;
    const t = new LoginThrottle({ max: 3, windowMs: 60_000 }, () => now);
    for (let i = 0; i < 3; i++) {
      assert.equal(t.retryAfter('Alice', `10.0.0.${i}`), 0);
      t.recordFailure('Alice', `10.0.0.${i}`);
    }
    assert.equal(t.retryAfter('alice', '10.0.0.99'), 60);
    now = 59_500;
    assert.equal(t.retryAfter('alice', '10.0.0.99'), 1);
    now = 60_000;
    assert.equal(t.retryAfter('alice', '10.0.0.99'), 0);
  });

  it('blocks an address guessing many usernames; a success resets only the username', () => {
    const t = new LoginThrottle({ max: 2, windowMs: 1000 }, () => 0);
    t.recordFailure('a', '1.2.3.4');
    t.recordFailure('b', '1.2.3.4');
    assert.ok(t.retryAfter('c', '1.2.3.4') > 0);
    assert.equal(t.retryAfter('c', '5.6.7.8'), 0);
    t.recordSuccess('a');
    assert.ok(t.retryAfter('a', '1.2.3.4') > 0, 'the address stays blocked');
    assert.equal(t.retryAfter('a', '9.9.9.9'), 0, 'the username is cleared');
  });
});
