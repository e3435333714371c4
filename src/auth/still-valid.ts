// Whether the credential that opened something long-lived (an app grant, a terminal) still
// stands: not revoked, not expired, its user present and enabled. Two reads by primary key,
// cheap enough for every proxied request; the revocation hub closes what is already open.
import type { Store } from '../store/types.js';

export async function credentialStillValid(store: Store, c: { tokenId: string; userId: string }, now: Date): Promise<boolean> {
  const [token, user] = await Promise.all([store.tokens.get(c.tokenId), store.users.get(c.userId)]);
  if (!token || token.user_id !== c.userId || token.revoked_at !== null) return false;
  if (token.expires_at !== null && Date.parse(token.expires_at) <= now.getTime()) return false;
  return user !== undefined && !user.disabled;
}
