// How the CLI prints: aligned tables and key/value blocks for people, the API's JSON for
// scripts (--json), and errors on stderr.
import { ApiError } from './http-client.js';

export type Cell = string | number | boolean | null | undefined;

export function table(headers: string[], rows: Cell[][]): string {
  const text = rows.map((r) => r.map((c) => (c === null || c === undefined ? '-' : String(c))));
  const widths = headers.map((h, i) => Math.max(h.length, ...text.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  return [line(headers), ...text.map(line)].join('\n');
}

export function keyValues(pairs: Array<[string, Cell]>): string {
  const width = Math.max(...pairs.map(([k]) => k.length));
  return pairs.map(([k, v]) => `${`${k}:`.padEnd(width + 1)}  ${v === null || v === undefined ? '-' : String(v)}`).join('\n');
}

export function printLine(text: string): void {
  process.stdout.write(`${text}\n`);
}

/** The `warnings` of a save response (e.g. a host path given another owner elsewhere), one line each on stderr. */
export function printWarnings(body: object): void {
  const warnings = (body as { warnings?: unknown }).warnings;
  if (Array.isArray(warnings)) for (const w of warnings) process.stderr.write(`warning: ${String(w)}\n`);
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** The error, as the server said it (message, detail, each validation), on stderr. */
export function printError(err: unknown, json: boolean): void {
  if (err instanceof ApiError) {
    if (json) {
      process.stderr.write(`${JSON.stringify({ status: err.status, ...err.body })}\n`);
      return;
    }
    const lines = [`error: ${err.body.message} (HTTP ${err.status})`];
    if (err.body.detail) lines.push(`  ${err.body.detail}`);
    for (const v of err.body.validations ?? []) lines.push(`  ${v.field}: ${v.detail}`);
    process.stderr.write(`${lines.join('\n')}\n`);
    return;
  }
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(json ? `${JSON.stringify({ message })}\n` : `error: ${message}\n`);
}

/** A problem with the command line itself (exit code 2). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
