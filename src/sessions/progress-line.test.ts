import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { progressLine, repeatedPullFilter } from './progress-line.js';

describe('progressLine', () => {
  it('names created folders only when the preparation created some (created: [] is none)', () => {
    assert.equal(progressLine('mapping.prepared', { mapping: '/srv/a -> /a', created: [] }), 'mapping /srv/a -> /a: prepared');
    assert.equal(progressLine('mapping.prepared', { mapping: '/srv/a -> /a', created: ['/srv/a'] }), 'mapping /srv/a -> /a: prepared (created /srv/a)');
    assert.equal(progressLine('mapping.prepared', { mapping: 'm', created: ['x', 'y'] }), 'mapping m: prepared (created x, y)');
  });

  it('marks an optional failure as left out, a required one not', () => {
    assert.equal(progressLine('mapping.failed', { mapping: 'm', class: 'missing', message: 'gone', required: false }), 'mapping m: FAILED missing (optional: left out): gone');
    assert.equal(progressLine('mapping.failed', { mapping: 'm', class: 'missing', message: 'gone', required: true }), 'mapping m: FAILED missing: gone');
  });

  it('tells what happened to the persistent profile: created and seeded, reset with what was removed', () => {
    assert.equal(progressLine('profile', { host_path: '/p/a', created: true, reset: false, seeded: { entries: 3 } }), 'profile /p/a: created, seeded with 3 entries from the image\'s home');
    assert.equal(progressLine('profile', { host_path: '/p/a', created: true, reset: false, seeded: null }), 'profile /p/a: created');
    assert.equal(progressLine('profile', { host_path: '/p/a', removed: { entries: 7, bytes: 9 } }), 'profile /p/a: reset (7 entries, 9 bytes removed)');
  });

  it('shows a failed state with its class and message', () => {
    assert.equal(progressLine('state', { state: 'failed', error: { class: 'policy', message: 'no' } }), 'state: failed (policy: no)');
    assert.equal(progressLine('state', { state: 'running' }), 'state: running');
  });
});

describe('repeatedPullFilter', () => {
  it('drops a pull line equal to the last pull line, nothing else', () => {
    const keep = repeatedPullFilter();
    assert.deepEqual(
      [['image.pull', 'a'], ['image.pull', 'a'], ['state', 's'], ['state', 's'], ['image.pull', 'a'], ['image.pull', 'b']].map(([t, l]) => keep(t!, l!)),
      [true, false, true, true, false, true],
    );
  });
});
