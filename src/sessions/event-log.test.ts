import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EventLog } from './event-log.js';
import { Semaphore } from './semaphore.js';

describe('event log', () => {
  it('numbers events per session and keeps the history for late subscribers', () => {
    const log = new EventLog();
    log.emit('s1', 'state', { state: 'requested' });
    log.emit('s2', 'state', { state: 'requested' });
    const seen: number[] = [];
    const off = log.subscribe('s1', (e) => seen.push(e.seq));
    log.emit('s1', 'state', { state: 'preparing' });
    off();
    log.emit('s1', 'state', { state: 'starting' });
    assert.deepEqual(seen, [2]);
    assert.deepEqual(log.history('s1').map((e) => [e.seq, e.data.state]), [[1, 'requested'], [2, 'preparing'], [3, 'starting']]);
    assert.equal(log.history('s2').length, 1);
  });
  it('drops a retired history after the retention time, not before', () => {
    let now = 0;
    const log = new EventLog(() => new Date(now));
    log.emit('s', 'state', { state: 'failed' });
    log.retire('s');
    log.prune();
    assert.equal(log.has('s'), true);
    now += 11 * 60 * 1000;
    log.prune();
    assert.equal(log.has('s'), false);
  });
});

describe('slots', () => {
  it('runs at most N at once and lets a waiter give up', async () => {
    const slots = new Semaphore(2);
    let running = 0;
    let peak = 0;
    const task = () => slots.run(async () => {
      peak = Math.max(peak, ++running);
      await new Promise((r) => setTimeout(r, 20));
      running--;
    });
    await Promise.all([task(), task(), task(), task(), task()]);
    assert.equal(peak, 2);
    const hold = slots.run(() => new Promise((r) => setTimeout(r, 50)));
    const hold2 = slots.run(() => new Promise((r) => setTimeout(r, 50)));
    await assert.rejects(slots.run(async () => 1, AbortSignal.timeout(10)));
    await Promise.all([hold, hold2]);
    assert.equal(await slots.run(async () => 7), 7);
  });
});
