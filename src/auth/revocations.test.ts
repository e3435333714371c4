import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RevocationHub } from './revocations.js';

describe('revocation hub', () => {
  const holder = { userId: 'u1', tokenId: 't1', sessionId: 's1' };

  it('calls a watcher once for its user, its credential or its session, and never for others', () => {
    for (const hit of [
      { kind: 'user', userId: 'u1', reason: 'user disabled' },
      { kind: 'token', tokenId: 't1', reason: 'signed out' },
      { kind: 'session', sessionId: 's1', reason: 'session destroyed' },
    ] as const) {
      const hub = new RevocationHub();
      const got: string[] = [];
      hub.watch(holder, (reason) => got.push(reason));
      hub.publish({ kind: 'user', userId: 'u2', reason: 'other user' });
      hub.publish({ kind: 'token', tokenId: 't2', reason: 'other token' });
      hub.publish({ kind: 'session', sessionId: 's2', reason: 'other session' });
      assert.deepEqual(got, []);
      hub.publish(hit);
      hub.publish(hit);
      assert.deepEqual(got, [hit.reason], 'once, with the reason');
    }
  });

  it('stops calling after unsubscribe, and a throwing listener does not stop the others', () => {
    const hub = new RevocationHub();
    const got: string[] = [];
    const off = hub.watch(holder, (r) => got.push(`a:${r}`));
    hub.subscribe(() => {
      throw new Error('broken listener');
    });
    hub.watch(holder, (r) => got.push(`b:${r}`));
    off();
    hub.publish({ kind: 'user', userId: 'u1', reason: 'x' });
    assert.deepEqual(got, ['b:x']);
  });
});
