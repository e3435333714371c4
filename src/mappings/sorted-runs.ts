// Sorting paths whose tokens are not known yet. Each path is a template: text with tokens in
// it. Where two templates first differ by a character (or one is a prefix of the other), their
// expansions are in that order for every user; where they first differ at a token, the order
// depends on the values. So the templates are sorted once into runs, each in the right order
// for every user, and a call only merges the runs, galloping: a handful of comparisons when
// the runs barely overlap, which is the usual case.
//
// Tokens never expand to an empty string (checked values), which the prefix case relies on:
// a template that is a strict prefix of another (as text and tokens) gives a strictly shorter,
// prefix expansion.
import type { CompiledPath } from './compiled-document.js';

/**
 * Tokens are encoded as the control characters U+0001..U+0003: the strings stay one byte per
 * character (V8 compares those fastest), and no template's text holds them (fast-expand.ts
 * accepts printable ASCII only); a fixed path that does is not planned (holdsTokenCode).
 * Their value does not matter for correctness: where a token meets anything else, a run ends.
 */
const TOKEN_CODE = 1;
const LAST_TOKEN_CODE = 3;

/** The template as one string, a token as one code point: what the runs are sorted by. */
export function encodePath(path: CompiledPath): string {
  if (typeof path === 'string') return path;
  let out = path.parts[0]!;
  for (let i = 0; i < path.tokens.length; i++) out += String.fromCharCode(TOKEN_CODE + path.tokens[i]!) + path.parts[i + 1]!;
  return out;
}

/** Whether a fixed path holds one of the code points that encode tokens. */
export function holdsTokenCode(path: string): boolean {
  return path.includes('\u0001') || path.includes('\u0002') || path.includes('\u0003');
}

function isTokenCode(c: number): boolean {
  return c >= TOKEN_CODE && c <= LAST_TOKEN_CODE;
}

/** Whether encoded a < encoded b holds for the expansions too, whatever the values. */
function orderHoldsForAllValues(a: string, b: string): boolean {
  const length = Math.min(a.length, b.length);
  let i = 0;
  while (i < length && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (i === length) return true; // one is a prefix of the other
  return !isTokenCode(a.charCodeAt(i)) && !isTokenCode(b.charCodeAt(i));
}

/**
 * Items (distinct encoded keys) sorted, then cut into runs wherever the order of two
 * neighbours depends on the values. Inside a run no two items can ever expand to the same
 * path: their order is strict for every user.
 */
export function sortedRuns(items: number[], encoded: (item: number) => string): number[][] {
  const itemByKey = new Map<string, number>();
  for (const item of items) itemByKey.set(encoded(item), item);
  const keys = [...itemByKey.keys()].sort(); // native order of UTF-16 code units, as `<` compares
  const runs: number[][] = [];
  let run: number[] = [];
  for (let i = 0; i < keys.length; i++) {
    if (i > 0 && !orderHoldsForAllValues(keys[i - 1]!, keys[i]!)) {
      runs.push(run);
      run = [];
    }
    run.push(itemByKey.get(keys[i]!)!);
  }
  if (run.length > 0) runs.push(run);
  return runs;
}

/** The first position from `from` whose key is not below `target` (exponential, then binary search). */
function firstNotBelow(run: readonly number[], from: number, target: string, keyOf: (item: number) => string): number {
  const n = run.length;
  let lo = from;
  let step = 1;
  let hi = from;
  while (hi < n && keyOf(run[hi]!) < target) {
    lo = hi + 1;
    step *= 2;
    hi = from + step - 1;
  }
  if (hi > n) hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keyOf(run[mid]!) < target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Two sorted runs merged; null when an item of one has the same key as an item of the other. */
function mergeTwo(a: readonly number[], b: readonly number[], keyOf: (item: number) => string): number[] | null {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const headB = keyOf(b[j]!);
    let k = firstNotBelow(a, i, headB, keyOf);
    while (i < k) out.push(a[i++]!);
    if (i === a.length) break;
    // a[i] is not below b[j]: if it equals some b, the search below stops at it.
    const headA = keyOf(a[i]!);
    k = firstNotBelow(b, j, headA, keyOf);
    if (k < b.length && keyOf(b[k]!) === headA) return null;
    while (j < k) out.push(b[j++]!);
  }
  while (i < a.length) out.push(a[i++]!);
  while (j < b.length) out.push(b[j++]!);
  return out;
}

/**
 * The items of every run in the order of their keys (the expanded paths); null when two items
 * have the same key. Runs are merged pairwise, so many runs cost n log(runs), not n * runs.
 * With one run the plan's own array is returned: callers only read it.
 */
export function mergeRuns(runs: ReadonlyArray<readonly number[]>, keyOf: (item: number) => string): readonly number[] | null {
  if (runs.length === 0) return [];
  let level: Array<readonly number[]> = [...runs];
  while (level.length > 1) {
    const next: Array<readonly number[]> = [];
    for (let r = 0; r < level.length; r += 2) {
      if (r + 1 === level.length) {
        next.push(level[r]!);
        continue;
      }
      const merged = mergeTwo(level[r]!, level[r + 1]!, keyOf);
      if (merged === null) return null;
      next.push(merged);
    }
    level = next;
  }
  return level[0]!;
}
