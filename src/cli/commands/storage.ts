// `tether storage check [--json] [--timeout MS]`: the shared-storage health of every mapped
// path on every node (GET /storage/health). Exit 0 when every path is shared, 3 (unhealthy)
// when one is not shared, missing, hung or could not be checked; 1 or 2 as for every command.
import type { Command } from 'commander';
import { loadConfig } from '../../config.js';
import { action, withClientOptions, type ClientFlags } from '../command-support.js';
import { createClient } from '../http-client.js';
import { printJson, printLine, table, UsageError } from '../output.js';
import { ExitCode } from '../exit-codes.js';
import type { StorageHealthReport } from '../../api/wire/index.js';

interface CheckFlags extends ClientFlags { timeout?: string }

const MAX_TIMEOUT_MS = 60_000;

function parseTimeout(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const ms = Number(raw);
  if (!/^[0-9]+$/.test(raw) || ms < 100 || ms > MAX_TIMEOUT_MS) throw new UsageError(`--timeout ${JSON.stringify(raw)}: expected milliseconds, 100..${MAX_TIMEOUT_MS}`);
  return ms;
}

function markerText(m: string | null): string {
  return m === null ? '-' : m.replace('_', ' ');
}

export function registerStorageCommands(program: Command): void {
  const storage = program.command('storage').description('shared storage: is every mapped path the same data on every node');
  withClientOptions(storage.command('check').description('check every mapped path\'s fixed prefix on every node (exit 3 when one is not shared)')
    .option('--timeout <ms>', `per probe on each node, 100..${MAX_TIMEOUT_MS} (default: the server's, 5000)`))
    .action(action(async (opts: CheckFlags) => {
      const timeoutMs = parseTimeout(opts.timeout);
      const config = loadConfig({ url: opts.url, token: opts.token });
      // up to three probes per path one after the other, each bounded by the timeout
      const client = createClient({ url: config.url, token: config.token, timeoutMs: 3 * (timeoutMs ?? 5_000) + 30_000 });
      const report = await client.get<StorageHealthReport>('/storage/health', { timeout_ms: timeoutMs });
      if (opts.json) printJson(report);
      else printReport(report);
      if (!report.ok) process.exitCode = ExitCode.unhealthy;
    }));
}

function printReport(report: StorageHealthReport): void {
  if (report.paths.length === 0) return printLine('no mapped host paths: nothing to check');
  const rows = report.paths.flatMap((p) => p.nodes.map((n, i) => [
    i === 0 ? p.path : '', i === 0 ? p.verdict : '', n.node.hostname, n.reachable ? 'yes' : 'no', n.exists === null ? '-' : n.exists ? 'yes' : 'no', n.ms ?? '-', markerText(n.marker), n.class ?? '',
  ]));
  printLine(table(['PATH', 'VERDICT', 'NODE', 'REACHABLE', 'EXISTS', 'MS', 'MARKER', 'FAILURE'], rows));
  printLine('');
  for (const p of report.paths) {
    printLine(`${p.path}: ${p.verdict}: ${p.message}`);
    printLine(`  used by: ${p.used_by.map((u) => `${u.kind} ${u.name} (${u.host_path})`).join(', ')}`);
    for (const n of p.nodes) if (n.message) printLine(`  ${n.node.hostname}: ${n.message}`);
  }
  for (const n of report.nodes) if (!n.checked) printLine(`node ${n.hostname} not checked: ${n.message ?? ''}`);
  printLine(report.ok ? 'every path is shared' : `${report.paths.filter((p) => p.verdict !== 'shared').length} of ${report.paths.length} paths are not shared on every node`);
}
