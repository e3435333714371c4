// `tether apikey create|list|delete`: API keys of the Kasm-compatible API (administrators).
import type { Command } from 'commander';
import { action, clientFrom, collect, parseInteger, withClientOptions, type ClientFlags } from '../command-support.js';
import { seg } from '../http-client.js';
import { printJson, printLine, table } from '../output.js';

import type { ApiKey as ApiKeyJson, CreatedApiKey } from '../../api/wire/index.js';

/** a listed key, or the creation answer with its secret (shown once) */
type ApiKey = ApiKeyJson & Partial<Pick<CreatedApiKey, 'api_key_secret'>>;

const ALL_PERMISSIONS = ['sessions', 'users', 'groups', 'images'];

export function registerApiKeyCommands(program: Command): void {
  const apikey = program.command('apikey').description('manage API keys of the Kasm-compatible API (/api/public; administrators)');

  withClientOptions(apikey.command('create <name>')
    .description('create an API key; its api_key_secret is printed once')
    .option('--permission <permission>', `what the key may reach (repeatable): ${ALL_PERMISSIONS.join(', ')}, or all (default: all)`, collect)
    .option('--read-only', 'the key only reads')
    .option('--expires-in <seconds>', 'lifetime in seconds (default: never expires)', parseInteger('--expires-in')))
    .action(action(async (name: string, opts: ClientFlags & { permission?: string[]; readOnly?: boolean; expiresIn?: number }) => {
      const asked = opts.permission ?? ['all'];
      const permissions = asked.includes('all') ? ALL_PERMISSIONS : asked;
      const created = await clientFrom(opts).post<ApiKey>('/api-keys', {
        name, permissions, ...(opts.readOnly ? { read_only: true } : {}), ...(opts.expiresIn !== undefined ? { expires_in: opts.expiresIn } : {}),
      });
      if (opts.json) printJson(created);
      else {
        printLine(`api_key=${created.api_key}`);
        printLine(`api_key_secret=${created.api_key_secret ?? ''}`);
        process.stderr.write(`API key "${created.name}" created (${created.permissions.join(', ')}${created.read_only ? ', read-only' : ''}); the secret above is shown only once\n`);
      }
    }));

  withClientOptions(apikey.command('list').description('list API keys (never their secrets)'))
    .action(action(async (opts: ClientFlags) => {
      const keys = await clientFrom(opts).get<ApiKey[]>('/api-keys');
      if (opts.json) printJson(keys);
      else {
        printLine(table(['NAME', 'API_KEY', 'PERMISSIONS', 'READ_ONLY', 'CREATED', 'EXPIRES', 'REVOKED', 'LAST_USED'],
          keys.map((k) => [k.name, k.api_key, k.permissions.join(','), k.read_only ? 'yes' : 'no', k.created_at, k.expires_at ?? 'never', k.revoked_at, k.last_used_at])));
      }
    }));

  withClientOptions(apikey.command('delete <name-or-id>').description('delete (revoke) an API key at once; it stays listed as revoked'))
    .action(action(async (ref: string, opts: ClientFlags) => {
      await clientFrom(opts).delete(`/api-keys/${seg(ref)}`);
      if (opts.json) printJson({ deleted: ref });
      else printLine(`deleted API key ${ref}`);
    }));
}
