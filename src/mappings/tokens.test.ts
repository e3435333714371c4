import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { expandTokens, fixedPrefix, isUuid, MappingDomainError, validateUsername } from './index.js';

const ctx = { username: 'alice', user_id: '0B6C3A52-6F1E-4D8E-9A53-2F1C7D9E4A10', image_id: '5d2f8e1a-3b4c-4d5e-8f60-718293a4b5c6' };

function throwsCode(fn: () => unknown, code: string, pattern?: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof MappingDomainError, `expected MappingDomainError, got ${String(error)}`);
    assert.equal(error.code, code);
    if (pattern) assert.match(error.message, pattern);
    return true;
  });
}

describe('validateUsername', () => {
  it('accepts 1-64 of letters, digits and . _ @ + -', () => {
    for (const name of ['a', 'user@kasm.local', 'A.b_c+d-e', '...', '.a', 'x'.repeat(64), '0']) assert.equal(validateUsername(name), null, name);
  });
  it('rejects the rest, saying why', () => {
    assert.match(validateUsername('')!, /1 to 64 characters long, got 0/);
    assert.match(validateUsername('x'.repeat(65))!, /got 65/);
    assert.match(validateUsername('.')!, /cannot be "\."/);
    assert.match(validateUsername('..')!, /cannot be "\.\."/);
    for (const name of ['a/b', 'a b', 'a\0', 'ü', 'a\uFF0Fb', 'a\u2024', '{username}', '%2e%2e/x', 'a\\b']) {
      assert.match(validateUsername(name)!, /expected only ASCII letters, digits/, JSON.stringify(name));
    }
  });
});

describe('isUuid', () => {
  it('accepts canonical UUIDs in either case only', () => {
    assert.equal(isUuid('5d2f8e1a-3b4c-4d5e-8f60-718293a4b5c6'), true);
    assert.equal(isUuid('5D2F8E1A-3B4C-4D5E-8F60-718293A4B5C6'), true);
    for (const bad of ['', '5d2f8e1a3b4c4d5e8f60718293a4b5c6', '{5d2f8e1a-3b4c-4d5e-8f60-718293a4b5c6}', '5d2f8e1a-3b4c-4d5e-8f60-718293a4b5c6\n', '../x']) assert.equal(isUuid(bad), false, bad);
  });
});

describe('fixedPrefix', () => {
  it('cuts back to the last complete segment before the first token', () => {
    assert.equal(fixedPrefix('/mnt/profiles/{username}/x'), '/mnt/profiles');
    assert.equal(fixedPrefix('/mnt/p-{username}'), '/mnt');
    assert.equal(fixedPrefix('/mnt/{username}/{image_id}'), '/mnt');
    assert.equal(fixedPrefix('/{username}'), '/');
    assert.equal(fixedPrefix('/srv/plain'), '/srv/plain');
  });
});

describe('expandTokens', () => {
  it('substitutes all three tokens, ids lowercased', () => {
    assert.equal(expandTokens('/mnt/profiles/{username}/{image_id}/{user_id}', ctx), '/mnt/profiles/alice/5d2f8e1a-3b4c-4d5e-8f60-718293a4b5c6/0b6c3a52-6f1e-4d8e-9a53-2f1c7d9e4a10');
    assert.equal(expandTokens('/mnt/p-{username}-{username}', ctx), '/mnt/p-alice-alice');
    assert.equal(expandTokens('/srv/plain', ctx), '/srv/plain');
    assert.equal(expandTokens('/mnt/{username}', { ...ctx, username: 'user@kasm.local' }), '/mnt/user@kasm.local');
  });
  it('validates the values before substituting', () => {
    for (const username of ['..', '.', '', '../etc', 'a/b', '%2e%2e/', 'a\0b', '\uFF0E\uFF0E', 'a\uFF0Fb', '\u2024\u2024', 'x'.repeat(4096)]) {
      throwsCode(() => expandTokens('/mnt/{username}', { ...ctx, username }), 'invalid_token_value');
    }
    throwsCode(() => expandTokens('/mnt/{user_id}', { ...ctx, user_id: '../../etc' }), 'invalid_token_value', /user_id .* is not a UUID/);
    throwsCode(() => expandTokens('/mnt/{image_id}', { ...ctx, image_id: 'nope' }), 'invalid_token_value', /image_id/);
  });
  it('rejects malformed templates', () => {
    throwsCode(() => expandTokens('/mnt/{usrname}', ctx), 'invalid_template', /unknown token \{usrname\}/);
    throwsCode(() => expandTokens('mnt/{username}', ctx), 'invalid_template', /not absolute/);
    throwsCode(() => expandTokens('/mnt/../{username}', ctx), 'invalid_template', /"\.\." segment/);
  });
  it('%2e%2e is a literal folder name (nothing decodes it); as a username it is refused', () => {
    assert.equal(expandTokens('/mnt/%2e%2e/{username}', ctx), '/mnt/%2e%2e/alice');
    throwsCode(() => expandTokens('/mnt/{username}', { ...ctx, username: '%2e%2e' }), 'invalid_token_value', /contains "%"/);
  });
});
