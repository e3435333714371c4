// Turns a presented secret (bearer token or login cookie) into the caller, or says why not.
// Every failure is reported the same way to the client (401); the reason is for logs.
// Runs on every request, so the token, its owner and the owner's admin flag come from one
// query, or from `credentialOf` (the API keeps them while the store is unchanged:
// src/api/kept-credentials.ts); a revocation or a disabled user takes effect on the next request.
import type { Store, TokenCredential, TokenRecord, UserRecord } from '../store/types.js';
import { digestToken, looksLikeToken } from './tokens.js';

export type AuthResult =
  | { ok: true; user: UserRecord; token: TokenRecord; isAdmin: boolean }
  | { ok: false; reason: 'malformed' | 'unknown' | 'revoked' | 'expired' | 'user_missing' | 'user_disabled' };

/** last_used_at is refreshed at most this often, so reads do not turn into writes. */
const LAST_USED_RESOLUTION_MS = 60_000;

/** The token with this digest, its owner and the owner's admin flag. */
export type CredentialLookup = (digest: string) => Promise<TokenCredential | undefined>;

export async function authenticateSecret(
  store: Store, secret: string, now: Date, credentialOf: CredentialLookup = (digest) => store.tokens.getCredential(digest),
): Promise<AuthResult> {
  if (!looksLikeToken(secret)) return { ok: false, reason: 'malformed' };
  const credential = await credentialOf(digestToken(secret));
  if (!credential) return { ok: false, reason: 'unknown' };
  const { token, user, isAdmin } = credential;
  if (token.revoked_at !== null) return { ok: false, reason: 'revoked' };
  if (token.expires_at !== null && Date.parse(token.expires_at) <= now.getTime()) return { ok: false, reason: 'expired' };
  if (!user) return { ok: false, reason: 'user_missing' };
  if (user.disabled) return { ok: false, reason: 'user_disabled' };
  const lastUsed = token.last_used_at === null ? 0 : Date.parse(token.last_used_at);
  if (now.getTime() - lastUsed >= LAST_USED_RESOLUTION_MS) {
    await store.tokens.update(token.token_id, { last_used_at: now.toISOString() });
  }
  return { ok: true, user, token, isAdmin };
}
