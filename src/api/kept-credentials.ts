// Every authenticated request looks up its token, its owner and the owner's admin flag. They
// are kept, by token digest, for as long as the store's change mark stays the same
// (Store.changeMark: any write of this process, such as a revocation or a disabled user, any
// commit of another); a store that cannot tell is asked every time. Expiry is checked at each
// use (authenticate.ts), and the last-used time written once a minute moves the mark too.
import { LRUCache } from 'lru-cache';
import type { CredentialLookup } from '../auth/index.js';
import type { Store, TokenCredential } from '../store/types.js';

/** Credentials kept at most: the tokens in use at once; beyond, the least recently used are read again. */
export const KEPT_CREDENTIALS = 1000;

export function keptCredentials(store: Store, max = KEPT_CREDENTIALS): CredentialLookup {
  const kept = new LRUCache<string, { mark: string; credential: TokenCredential }>({ max });
  return async (digest) => {
    const mark = store.changeMark(); // before the read: a change during the read makes the next call read again
    const hit = mark === undefined ? undefined : kept.get(digest);
    let credential = hit !== undefined && hit.mark === mark ? hit.credential : undefined;
    if (credential === undefined) {
      credential = await store.tokens.getCredential(digest);
      if (credential === undefined) return undefined; // unknown tokens are not kept: guessing cannot fill the cache
      if (mark !== undefined) kept.set(digest, { mark, credential });
    }
    // each request its own copy: the principal it becomes is the request's
    return { token: { ...credential.token }, user: credential.user && { ...credential.user }, isAdmin: credential.isAdmin };
  };
}
