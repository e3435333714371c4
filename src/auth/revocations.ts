// Revocation, in this process: the routes that take access away (disable, delete, password,
// logout, token revoke) and the session manager (a session leaving `running`) publish here;
// what holds access open for a long time (terminal WebSockets, the app proxy's grants and
// proxied connections) listens and closes at once. Requests are re-checked against the store
// anyway (auth hook, app proxy); this is for what was already open when access ended.

export type Revocation =
  /** every credential and connection of the user (disabled, deleted, new password) */
  | { kind: 'user'; userId: string; reason: string }
  /** what was opened with one credential (logout, token revoked) */
  | { kind: 'token'; tokenId: string; reason: string }
  /** everything on one session (destroyed, failed, gone) */
  | { kind: 'session'; sessionId: string; reason: string };

/** Who holds an open connection or grant: the user, the credential used, the session. */
export interface Holder {
  userId: string;
  tokenId: string;
  sessionId: string;
}

export function revokes(r: Revocation, h: Holder): boolean {
  switch (r.kind) {
    case 'user': return r.userId === h.userId;
    case 'token': return r.tokenId === h.tokenId;
    case 'session': return r.sessionId === h.sessionId;
  }
}

export class RevocationHub {
  private readonly listeners = new Set<(r: Revocation) => void>();

  /** Tells every listener now (synchronously); a listener that throws does not stop the others. */
  publish(r: Revocation): void {
    for (const fn of [...this.listeners]) {
      try {
        fn(r);
      } catch {
        // a listener's failure is its own; the revocation still reaches the rest
      }
    }
  }

  /** Calls fn for every revocation from now on; returns the unsubscribe function. */
  subscribe(fn: (r: Revocation) => void): () => void {
    this.listeners.add(fn);
    return () => {
      this.listeners.delete(fn);
    };
  }

  /** Calls onRevoked once, with the reason, when a revocation concerns this holder; returns the unsubscribe function. */
  watch(holder: Holder, onRevoked: (reason: string) => void): () => void {
    const off = this.subscribe((r) => {
      if (!revokes(r, holder)) return;
      off();
      onRevoked(r.reason);
    });
    return off;
  }
}
