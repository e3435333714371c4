// Failed-login throttling without lock-out, in memory (per process: restarting the server
// forgets it; several server processes each keep their own counts).
//
// Two counters, each answering with growing delays rather than a lock:
// - per (account, client address): the first few failures are free, then each further one
//   makes that client wait 1 s, 2 s, 4 s ... up to a cap before its next try. Someone guessing
//   an account's password from one place slows down; the account's owner signing in from
//   another place is never refused because of it (no account-wide lock an attacker could use
//   to keep the administrator out).
// - per client address, over every account, with a higher threshold: one place spraying
//   many accounts slows down too.
// A success clears its (account, address) counter but NOT the address's, so one valid
// account cannot be used to reset an address that is guessing other accounts' passwords.
// A counter with no failure for `forgetAfterMs` starts over.

export interface ThrottleOptions {
  /** failures per (account, address) answered without delay */
  freeFailures: number;
  /** failures per address, over all accounts, answered without delay */
  addressFreeFailures: number;
  /** the delay after the first failure past the free ones; it doubles at each further one */
  firstDelayMs: number;
  /** the longest delay */
  maxDelayMs: number;
  /** a counter without failures for this long is forgotten */
  forgetAfterMs: number;
}

export const DEFAULT_THROTTLE: ThrottleOptions = {
  freeFailures: 3,
  addressFreeFailures: 30,
  firstDelayMs: 1000,
  maxDelayMs: 5 * 60 * 1000,
  forgetAfterMs: 15 * 60 * 1000,
};

interface Counter {
  failures: number;
  lastFailureAt: number;
  /** the earliest time of the next try */
  notBefore: number;
}

/** Counters kept at most (a spray of usernames must not grow memory without end). */
const MAX_COUNTERS = 100_000;

export class LoginThrottle {
  private readonly counters = new Map<string, Counter>();

  constructor(
    private readonly options: ThrottleOptions = DEFAULT_THROTTLE,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds until this client may try this account again, or 0 when allowed. */
  retryAfter(username: string, address: string): number {
    const wait = Math.max(this.waitFor(pairKey(username, address)), this.waitFor(addressKey(address)));
    return wait <= 0 ? 0 : Math.max(1, Math.ceil(wait / 1000));
  }

  recordFailure(username: string, address: string): void {
    this.bump(pairKey(username, address), this.options.freeFailures);
    this.bump(addressKey(address), this.options.addressFreeFailures);
    this.prune();
  }

  recordSuccess(username: string, address: string): void {
    this.counters.delete(pairKey(username, address));
  }

  /** The delay after the n-th failure when `free` are free: 0, ..., 0, first, 2*first, ... capped. */
  delayAfter(failures: number, free: number): number {
    const past = failures - free;
    if (past <= 0) return 0;
    const { firstDelayMs, maxDelayMs } = this.options;
    // 2^(past-1) overflows to Infinity long after the cap: Math.min keeps the cap.
    return Math.min(maxDelayMs, firstDelayMs * 2 ** Math.min(past - 1, 62));
  }

  private bump(key: string, free: number): void {
    const at = this.now();
    const counter = this.current(key, at);
    const failures = (counter?.failures ?? 0) + 1;
    // Re-inserted so the map's order is the order of last failure (prune drops the oldest).
    this.counters.delete(key);
    this.counters.set(key, { failures, lastFailureAt: at, notBefore: at + this.delayAfter(failures, free) });
  }

  private waitFor(key: string): number {
    const at = this.now();
    const counter = this.current(key, at);
    return counter ? counter.notBefore - at : 0;
  }

  private current(key: string, at: number): Counter | undefined {
    const c = this.counters.get(key);
    if (c && at - c.lastFailureAt >= Math.max(this.options.forgetAfterMs, c.notBefore - c.lastFailureAt)) {
      this.counters.delete(key);
      return undefined;
    }
    return c;
  }

  /** Keeps memory bounded: forget quiet counters now and then, and the oldest past the bound. */
  private prune(): void {
    if (this.counters.size < 10_000) return;
    const at = this.now();
    for (const key of [...this.counters.keys()]) this.current(key, at);
    for (const key of this.counters.keys()) {
      if (this.counters.size <= MAX_COUNTERS) break;
      this.counters.delete(key);
    }
  }
}

// JSON keeps the two parts apart whatever characters the username holds.
const pairKey = (username: string, address: string) => `p:${JSON.stringify([username.toLowerCase(), address])}`;
const addressKey = (address: string) => `a:${address}`;
