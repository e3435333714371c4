import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { fromKasmId, toKasmId } from './ids.js';

describe('Kasm ids', () => {
  it('are UUIDs without dashes, and map back', () => {
    const id = randomUUID();
    const k = toKasmId(id);
    assert.match(k, /^[0-9a-f]{32}$/);
    assert.equal(fromKasmId(k), id);
    assert.equal(fromKasmId(k.toUpperCase()), id);
  });

  it('accept the dashed form too, in any case', () => {
    const id = randomUUID();
    assert.equal(fromKasmId(id.toUpperCase()), id);
  });

  it('refuse anything else', () => {
    for (const bad of ['', 'abc', 'g'.repeat(32), 'a'.repeat(31), 'a'.repeat(33), `${'a'.repeat(32)}\n`, '../../etc', 'a'.repeat(8) + '-' + 'a'.repeat(23)]) {
      assert.equal(fromKasmId(bad), null, JSON.stringify(bad));
    }
  });
});
