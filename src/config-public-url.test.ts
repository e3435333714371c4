import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parsePublicUrl } from './config.js';

describe('TETHER_PUBLIC_URL', () => {
  it('takes an http(s) URL with a host; unset or empty is none', () => {
    assert.equal(parsePublicUrl(undefined), undefined);
    assert.equal(parsePublicUrl(' '), undefined);
    assert.equal(parsePublicUrl('https://tether.example.org')?.protocol, 'https:');
    assert.equal(parsePublicUrl('http://127.0.0.1:8080/')?.host, '127.0.0.1:8080');
  });
  it('refuses anything else, naming the variable', () => {
    for (const bad of ['tether.example.org', 'ftp://x', 'https://user:pw@x', 'https://x/?a=1', 'https://x/#f', 'javascript:alert(1)']) {
      assert.throws(() => parsePublicUrl(bad), /^Error: TETHER_PUBLIC_URL: /, bad);
    }
  });
});
