// What every command shares: --url/--token/--json, the client built from them (flags over
// TETHER_URL/TETHER_TOKEN), stdin and file reading, and one wrapper that turns errors into
// stderr lines and exit codes (0 ok, 1 server refused, 2 usage or connection).
import { readFile } from 'node:fs/promises';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { loadConfig } from '../config.js';
import { ExitCode } from './exit-codes.js';
import { ApiError, ConnectionError, createClient, type HttpClient } from './http-client.js';
import { UsageError, printError } from './output.js';

export interface ClientFlags {
  url?: string;
  token?: string;
  json?: boolean;
}

/** Adds --url, --token and --json to a command that talks to the server. */
export function withClientOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--url <url>', 'Tether server URL (default: TETHER_URL or http://127.0.0.1:8080)'))
    .addOption(new Option('--token <token>', 'API token (default: TETHER_TOKEN)'))
    .option('--json', 'print the API JSON instead of a table');
}

/** Adds only --json (commands that do not talk to a server). */
export function withJsonOption(cmd: Command): Command {
  return cmd.option('--json', 'print JSON');
}

export function clientFrom(flags: ClientFlags): HttpClient {
  const config = loadConfig({ url: flags.url, token: flags.token });
  return createClient({ url: config.url, token: config.token });
}

export function exitCodeOf(err: unknown): number {
  if (err instanceof ApiError) return ExitCode.serverError;
  if (err instanceof ConnectionError || err instanceof UsageError || err instanceof CommanderError) return ExitCode.usage;
  return ExitCode.serverError;
}

/**
 * Wraps a command action: the last argument commander passes is the Command, whose opts()
 * hold the flags. Errors are printed and set the exit code; nothing is thrown further.
 */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<void>): (...args: unknown[]) => Promise<void> {
  return async (...args: unknown[]) => {
    const cmd = args[args.length - 1] as Command;
    try {
      await fn(...(args as A));
    } catch (err) {
      printError(err, Boolean((cmd.opts() as ClientFlags).json));
      process.exitCode = exitCodeOf(err);
    }
  };
}

/** All of stdin, without the one trailing newline `echo` adds; `flag` (e.g. --password-stdin) names it in the error. */
export async function readStdin(flag: string): Promise<string> {
  if (process.stdin.isTTY) throw new UsageError(`${flag}: pipe the password in, e.g. \`printf %s "$PW" | tether ...\``);
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

/** A file's text (`-` = stdin), with a clear error when it cannot be read. */
export async function readTextFile(path: string, flag: string): Promise<string> {
  if (path === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new UsageError(`${flag} ${JSON.stringify(path)}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function parseInteger(flag: string) {
  return (value: string): number => {
    if (!/^-?\d+$/.test(value)) throw new InvalidArgumentError(`${flag} "${value}": expected an integer`);
    return Number(value);
  };
}
