// API tokens and login sessions: 32 random bytes, base64url, with a `tth_` prefix so they
// are recognizable in logs and secret scanners. Only the hex SHA-256 digest is stored; a
// fast hash is right here because tokens are high-entropy and checked on every request.
import { createHash, randomBytes } from 'node:crypto';

export const TOKEN_PREFIX = 'tth_';
const TOKEN_BYTES = 32;

export function generateTokenSecret(): { secret: string; digest: string } {
  const secret = TOKEN_PREFIX + randomBytes(TOKEN_BYTES).toString('base64url');
  return { secret, digest: digestToken(secret) };
}

export function digestToken(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Cheap syntactic check before touching the store: prefix + 43 base64url characters. */
export function looksLikeToken(secret: string): boolean {
  return /^tth_[A-Za-z0-9_-]{43}$/.test(secret);
}
