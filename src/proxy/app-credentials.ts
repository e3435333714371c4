// The credentials of the per-session app origins, kept in the server's memory (a restart
// signs everyone out of the apps; they enter again from the session page):
// - entry tokens: 60 s, single use, for one session and its owner, handed to the session page;
// - app secrets: what the app origin's cookie holds after entry, valid for that session only.
// Both remember the Tether credential (login session or API token) that asked for the entry
// token: revoking it, or its user, or ending the session drops them (revoke()).
import { randomBytes } from 'node:crypto';
import { revokes, type Revocation } from '../auth/revocations.js';

export const ENTRY_TOKEN_TTL_MS = 60_000;
export const APP_SECRET_TTL_MS = 12 * 60 * 60_000;

interface Grant { sessionId: string; userId: string; tokenId: string; expiresAt: number }

/** Who an app secret belongs to, and which Tether credential opened it. */
export interface AppGrant { userId: string; tokenId: string }

export interface AppCredentials {
  issueEntryToken(sessionId: string, userId: string, tokenId: string): { token: string; expiresInSeconds: number };
  /** consumes the token; a new app secret for the same session, or null (unknown, used, expired, other session) */
  redeem(token: string, sessionId: string): string | null;
  /** who an app secret belongs to, if it is valid for this session */
  check(secret: string, sessionId: string): AppGrant | null;
  /** drops every entry token and app secret the revocation concerns */
  revoke(r: Revocation): void;
  clear(): void;
}

const newSecret = () => randomBytes(32).toString('base64url');

export function createAppCredentials(o: { now?: () => number } = {}): AppCredentials {
  const now = o.now ?? Date.now;
  const tokens = new Map<string, Grant>();
  const secrets = new Map<string, Grant>();
  const prune = (m: Map<string, Grant>) => {
    const t = now();
    for (const [k, g] of m) if (g.expiresAt <= t) m.delete(k);
  };
  return {
    issueEntryToken(sessionId, userId, tokenId) {
      prune(tokens);
      const token = newSecret();
      tokens.set(token, { sessionId, userId, tokenId, expiresAt: now() + ENTRY_TOKEN_TTL_MS });
      return { token, expiresInSeconds: ENTRY_TOKEN_TTL_MS / 1000 };
    },
    redeem(token, sessionId) {
      const g = tokens.get(token);
      tokens.delete(token); // single use, even when presented to the wrong session
      if (!g || g.expiresAt <= now() || g.sessionId !== sessionId) return null;
      prune(secrets);
      const secret = newSecret();
      secrets.set(secret, { sessionId, userId: g.userId, tokenId: g.tokenId, expiresAt: now() + APP_SECRET_TTL_MS });
      return secret;
    },
    check(secret, sessionId) {
      const g = secrets.get(secret);
      if (!g || g.expiresAt <= now() || g.sessionId !== sessionId) return null;
      return { userId: g.userId, tokenId: g.tokenId };
    },
    revoke(r) {
      for (const m of [tokens, secrets]) for (const [k, g] of m) if (revokes(r, g)) m.delete(k);
    },
    clear() {
      tokens.clear();
      secrets.clear();
    },
  };
}
