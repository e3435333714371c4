// Failed-login throttling, per username and per client address, in memory (per process:
// restarting the server forgets it; several server processes each keep their own counts).
// A fixed window per key: after `max` failures inside `windowMs`, attempts are refused
// until the window that started with the first failure ends. A successful login clears the
// username's counter but NOT the address's, so one valid account cannot be used to reset
// an address that is guessing other accounts' passwords.

export interface ThrottleOptions {
  max: number;
  windowMs: number;
}

export const DEFAULT_THROTTLE: ThrottleOptions = { max: 10, windowMs: 5 * 60 * 1000 };

interface Window {
  failures: number;
  startedAt: number;
}

export class LoginThrottle {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly options: ThrottleOptions = DEFAULT_THROTTLE,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds until the caller may try again, or 0 when allowed. */
  retryAfter(username: string, address: string): number {
    return Math.max(this.blockedFor(userKey(username)), this.blockedFor(addressKey(address)));
  }

  recordFailure(username: string, address: string): void {
    for (const key of [userKey(username), addressKey(address)]) {
      const w = this.current(key);
      if (w) w.failures += 1;
      else this.windows.set(key, { failures: 1, startedAt: this.now() });
    }
    this.prune();
  }

  recordSuccess(username: string): void {
    this.windows.delete(userKey(username));
  }

  private blockedFor(key: string): number {
    const w = this.current(key);
    if (!w || w.failures < this.options.max) return 0;
    return Math.max(1, Math.ceil((w.startedAt + this.options.windowMs - this.now()) / 1000));
  }

  private current(key: string): Window | undefined {
    const w = this.windows.get(key);
    if (w && this.now() - w.startedAt >= this.options.windowMs) {
      this.windows.delete(key);
      return undefined;
    }
    return w;
  }

  /** Keeps memory bounded under a spray of usernames: drop expired windows now and then. */
  private prune(): void {
    if (this.windows.size < 10_000) return;
    for (const key of [...this.windows.keys()]) this.current(key);
  }
}

const userKey = (username: string) => `u:${username.toLowerCase()}`;
const addressKey = (address: string) => `a:${address}`;
