// `tether login`: exchange a username and password for a token (printed; the CLI stores nothing).
import type { Command } from 'commander';
import { action, clientFrom, readStdin, withClientOptions, type ClientFlags } from '../command-support.js';
import { printJson, printLine, UsageError } from '../output.js';

export function registerLoginCommand(program: Command): void {
  withClientOptions(
    program
      .command('login')
      .description('sign in and print a login token (use it as TETHER_TOKEN)')
      .requiredOption('--username <name>', 'username')
      .option('--password-stdin', 'read the password from stdin'),
  ).action(action(async (opts: ClientFlags & { username: string; passwordStdin?: boolean }) => {
    if (!opts.passwordStdin) throw new UsageError('login: pass --password-stdin and pipe the password in (passwords never go on the command line)');
    const password = await readStdin('--password-stdin');
    const res = await clientFrom({ ...opts, token: undefined }).post<{ token: string }>('/login', { username: opts.username, password });
    if (opts.json) printJson({ token: res.token });
    else printLine(res.token);
  }));
}
