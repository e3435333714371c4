// One memo for every deterministic, recurring computation in the mappings domain and the
// store (template verdicts, compiled policies, parsed documents): a Map bounded in size.
// A value it forgets is simply computed again, so the bound changes the cost, never a result.

/** Values by key, computed on first use; when full, the oldest entry goes. */
export class BoundedMemo<K, V> {
  private readonly entries = new Map<K, V>();
  constructor(private readonly limit: number) {}

  /** `compute` takes the key so hot callers can pass a plain function (no closure per call). */
  get(key: K, compute: (key: K) => V): V {
    let value = this.entries.get(key);
    if (value === undefined) {
      value = compute(key);
      if (this.entries.size >= this.limit) this.entries.delete(this.entries.keys().next().value as K);
      this.entries.set(key, value);
    }
    return value;
  }

  /** Forgets everything (benchmarks measure the cost without the memo). */
  clear(): void {
    this.entries.clear();
  }
}
