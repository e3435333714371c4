import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { digestToken, generateTokenSecret, looksLikeToken } from './tokens.js';

describe('API tokens', () => {
  it('are tth_ + 32 random bytes (base64url), stored as hex SHA-256', () => {
    const { secret, digest } = generateTokenSecret();
    assert.match(secret, /^tth_[A-Za-z0-9_-]{43}$/);
    assert.equal(Buffer.from(secret.slice(4), 'base64url').length, 32);
    assert.equal(digest, createHash('sha256').update(secret).digest('hex'));
    assert.equal(digestToken(secret), digest);
    assert.equal(looksLikeToken(secret), true);
    assert.notEqual(generateTokenSecret().secret, secret);
  });

  it('rejects anything that is not a token before any lookup', () => {
    for (const s of ['', 'tth_', 'tth_short', `xxx_${'a'.repeat(43)}`, `tth_${'a'.repeat(42)}!`, `tth_${'a'.repeat(44)}`]) assert.equal(looksLikeToken(s), false, s);
  });
});
