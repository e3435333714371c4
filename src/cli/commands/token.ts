// `tether token create|list|revoke`: API tokens of the caller (administrators: --all).
import type { Command } from 'commander';
import { action, clientFrom, parseInteger, withClientOptions, type ClientFlags } from '../command-support.js';
import { seg } from '../http-client.js';
import { printJson, printLine, table } from '../output.js';

import type { Token as TokenJson } from '../../api/wire/index.js';

/** the creation answer also carries the secret, once */
type Token = TokenJson & { token?: string };

export function registerTokenCommands(program: Command): void {
  const token = program.command('token').description('manage API tokens');

  withClientOptions(token.command('create <name>').description('create an API token for yourself; the secret is printed once')
    .option('--expires-in <seconds>', 'lifetime in seconds (default: never expires)', parseInteger('--expires-in')))
    .action(action(async (name: string, opts: ClientFlags & { expiresIn?: number }) => {
      const created = await clientFrom(opts).post<Token>('/tokens', { name, ...(opts.expiresIn !== undefined ? { expires_in: opts.expiresIn } : {}) });
      if (opts.json) printJson(created);
      else {
        printLine(created.token ?? '');
        process.stderr.write(`token ${created.token_id} created; the secret above is shown only once\n`);
      }
    }));

  withClientOptions(token.command('list').description('list your API tokens').option('--all', 'every user\'s tokens (administrators)'))
    .action(action(async (opts: ClientFlags & { all?: boolean }) => {
      const tokens = await clientFrom(opts).get<Token[]>('/tokens', opts.all ? { all: 1 } : {});
      if (opts.json) printJson(tokens);
      else {
        printLine(table(['TOKEN_ID', 'NAME', ...(opts.all ? ['USER_ID'] : []), 'CREATED', 'EXPIRES', 'REVOKED', 'LAST_USED'],
          tokens.map((t) => [t.token_id, t.name, ...(opts.all ? [t.user_id] : []), t.created_at, t.expires_at ?? 'never', t.revoked_at, t.last_used_at])));
      }
    }));

  withClientOptions(token.command('revoke <token-id>').description('revoke a token')).action(action(async (id: string, opts: ClientFlags) => {
    await clientFrom(opts).delete(`/tokens/${seg(id)}`);
    if (opts.json) printJson({ revoked: id });
    else printLine(`revoked token ${id}`);
  }));
}
