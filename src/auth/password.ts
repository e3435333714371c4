// Password hashing with scrypt (memory-hard), stored as a self-describing string
// `scrypt$N$r$p$salt$hash` (salt and hash base64url) so the cost can be raised later
// without invalidating existing hashes.
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** Production cost. Tests may pass a lower N (e.g. 2**10) through AppDeps.auth.scryptN. */
export const DEFAULT_SCRYPT_N = 2 ** 15;
const R = 8;
const P = 1;
const KEY_LENGTH = 32;
const SALT_LENGTH = 16;

function scryptAsync(password: string, salt: Buffer, n: number, r: number, p: number): Promise<Buffer> {
  // maxmem must cover 128 * N * r bytes plus slack, or node refuses N >= 2^14 with r = 8.
  const options: ScryptOptions = { N: n, r, p, maxmem: 256 * n * r + 1024 * 1024 };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, KEY_LENGTH, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

export async function hashPassword(password: string, n: number = DEFAULT_SCRYPT_N): Promise<string> {
  if (!Number.isInteger(Math.log2(n)) || n < 2) throw new Error(`scrypt N must be a power of two >= 2, got ${n}`);
  const salt = randomBytes(SALT_LENGTH);
  const key = await scryptAsync(password, salt, n, R, P);
  return `scrypt$${n}$${R}$${P}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

/** False for a wrong password and for a malformed stored hash (never throws on bad input). */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [n, r, p] = parts.slice(1, 4).map((x) => Number(x));
  const salt = Buffer.from(parts[4] ?? '', 'base64url');
  const expected = Buffer.from(parts[5] ?? '', 'base64url');
  if (!n || !r || !p || n > 2 ** 22 || salt.length === 0 || expected.length === 0) return false;
  const actual = await scryptAsync(password, salt, n, r, p);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** A stored hash that no password matches: used to spend the same time on unknown usernames. */
let dummyHash: { n: number; hash: Promise<string> } | undefined;
export function dummyPasswordHash(n: number): Promise<string> {
  if (!dummyHash || dummyHash.n !== n) dummyHash = { n, hash: hashPassword(randomBytes(24).toString('hex'), n) };
  return dummyHash.hash;
}

/** A random password for the first administrator: 24 base64url characters (144 bits). */
export function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}
