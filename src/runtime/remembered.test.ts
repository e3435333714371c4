import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Remembered } from './remembered.js';

/** A lookup that answers from a table and counts the calls (the real ones: docker/dial.ts, swarm/node-agents.ts). */
function counted(table: Record<string, string>) {
  const calls: string[] = [];
  const load = (key: string) => async () => {
    calls.push(key);
    const value = table[key];
    if (value === undefined) throw new Error(`no ${key}`);
    return value;
  };
  return { load, calls };
}

describe('remembered places of containers', () => {
  it('asks once per key, again after forget or after a minute', async () => {
    let t = 0;
    const { load, calls } = counted({ c1: '172.17.0.2', c2: '172.17.0.3' });
    const places = new Remembered<string>(() => t);
    assert.equal(await places.get('c1', load('c1')), '172.17.0.2');
    assert.equal(await places.get('c1', load('c1')), '172.17.0.2');
    assert.equal(await places.get('c2', load('c2')), '172.17.0.3');
    assert.deepEqual(calls, ['c1', 'c2']);
    places.forget('c1');
    assert.equal(await places.get('c1', load('c1')), '172.17.0.2');
    assert.deepEqual(calls, ['c1', 'c2', 'c1']);
    t += 60_001;
    await places.get('c2', load('c2'));
    assert.deepEqual(calls, ['c1', 'c2', 'c1', 'c2']);
  });

  it('remembers no miss: a key whose lookup failed is asked for every time', async () => {
    const { load, calls } = counted({});
    const places = new Remembered<string>();
    await assert.rejects(places.get('gone', load('gone')), /no gone/);
    await assert.rejects(places.get('gone', load('gone')), /no gone/);
    assert.equal(calls.length, 2);
  });

  it('keeps at most 256 entries, dropping the oldest', async () => {
    const table = Object.fromEntries(Array.from({ length: 257 }, (_, i) => [`c${i}`, `10.0.${Math.floor(i / 256)}.${i % 256}`]));
    const { load, calls } = counted(table);
    const places = new Remembered<string>();
    for (let i = 0; i < 257; i++) await places.get(`c${i}`, load(`c${i}`));
    await places.get('c256', load('c256'));
    await places.get('c1', load('c1'));
    assert.equal(calls.length, 257, 'the newest and the second oldest are still known');
    await places.get('c0', load('c0'));
    assert.equal(calls.length, 258, 'the oldest was dropped');
  });
});
