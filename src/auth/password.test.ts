import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_SCRYPT_N, generatePassword, hashPassword, verifyPassword } from './password.js';

describe('password hashing (scrypt)', () => {
  it('stores a self-describing scrypt$N$r$p$salt$hash string with the production cost by default', async () => {
    const stored = await hashPassword('correct horse');
    const [kdf, n, r, p, salt, hash] = stored.split('$');
    assert.deepEqual([kdf, Number(n), Number(r), Number(p)], ['scrypt', DEFAULT_SCRYPT_N, 8, 1]);
    assert.ok(DEFAULT_SCRYPT_N >= 2 ** 15);
    assert.equal(Buffer.from(salt!, 'base64url').length, 16);
    assert.equal(Buffer.from(hash!, 'base64url').length, 32);
    assert.equal(await verifyPassword('correct horse', stored), true);
    assert.equal(await verifyPassword('correct horse ', stored), false);
  });

  it('salts every hash and verifies hashes of any stored cost', async () => {
    const a = await hashPassword('pw', 2 ** 10);
    const b = await hashPassword('pw', 2 ** 10);
    assert.notEqual(a, b);
    assert.equal(await verifyPassword('pw', a), true);
    assert.equal(await verifyPassword('pw', b), true);
  });

  it('answers false, never throws, for malformed stored hashes', async () => {
    for (const bad of ['', 'plain', 'scrypt$x$8$1$aa$bb', 'bcrypt$10$8$1$aa$bb', 'scrypt$1024$8$1$$', `scrypt$${2 ** 30}$8$1$aa$bb`]) {
      assert.equal(await verifyPassword('pw', bad), false, bad);
    }
  });

  it('generates random first-admin passwords', () => {
    const a = generatePassword();
    assert.match(a, /^[A-Za-z0-9_-]{24}$/);
    assert.notEqual(a, generatePassword());
  });
});
