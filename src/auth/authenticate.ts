// Turns a presented secret (bearer token or login cookie) into the caller, or says why not.
// Every failure is reported the same way to the client (401); the reason is for logs.
import type { Store, TokenRecord, UserRecord } from '../store/types.js';
import { digestToken, looksLikeToken } from './tokens.js';

export type AuthResult =
  | { ok: true; user: UserRecord; token: TokenRecord }
  | { ok: false; reason: 'malformed' | 'unknown' | 'revoked' | 'expired' | 'user_missing' | 'user_disabled' };

/** last_used_at is refreshed at most this often, so reads do not turn into writes. */
const LAST_USED_RESOLUTION_MS = 60_000;

export async function authenticateSecret(store: Store, secret: string, now: Date): Promise<AuthResult> {
  if (!looksLikeToken(secret)) return { ok: false, reason: 'malformed' };
  const token = await store.tokens.getByDigest(digestToken(secret));
  if (!token) return { ok: false, reason: 'unknown' };
  if (token.revoked_at !== null) return { ok: false, reason: 'revoked' };
  if (token.expires_at !== null && Date.parse(token.expires_at) <= now.getTime()) return { ok: false, reason: 'expired' };
  const user = await store.users.get(token.user_id);
  if (!user) return { ok: false, reason: 'user_missing' };
  if (user.disabled) return { ok: false, reason: 'user_disabled' };
  const lastUsed = token.last_used_at === null ? 0 : Date.parse(token.last_used_at);
  if (now.getTime() - lastUsed >= LAST_USED_RESOLUTION_MS) {
    await store.tokens.update(token.token_id, { last_used_at: now.toISOString() });
  }
  return { ok: true, user, token };
}
