import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { apiKeyRefusal, digestApiKeySecret, generateApiKey } from './api-keys.js';

describe('API keys', () => {
  it('are a 12-character public key and a 32-character secret stored as hex SHA-256', () => {
    const a = generateApiKey();
    assert.match(a.key, /^[A-Za-z0-9]{12}$/);
    assert.match(a.secret, /^[A-Za-z0-9]{32}$/);
    assert.equal(a.digest, createHash('sha256').update(a.secret).digest('hex'));
    assert.equal(digestApiKeySecret(a.secret), a.digest);
    const b = generateApiKey();
    assert.notEqual(a.key, b.key);
    assert.notEqual(a.secret, b.secret);
  });

  it('refuse a call outside their permissions, and every change when read-only', () => {
    const key = { permissions: ['sessions' as const, 'users' as const], read_only: false };
    assert.equal(apiKeyRefusal(key, { permission: 'sessions', write: true }), null);
    assert.match(apiKeyRefusal(key, { permission: 'groups', write: false }) ?? '', /lacks the "groups" permission/);
    const ro = { ...key, read_only: true };
    assert.equal(apiKeyRefusal(ro, { permission: 'users', write: false }), null);
    assert.match(apiKeyRefusal(ro, { permission: 'users', write: true }) ?? '', /read-only/);
    assert.match(apiKeyRefusal(ro, { permission: 'images', write: false }) ?? '', /lacks the "images"/);
  });
});
