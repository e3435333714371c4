// `tether user create|list|show|rename|disable|enable|delete`.
import type { Command } from 'commander';
import { action, clientFrom, collect, readStdin, withClientOptions, type ClientFlags } from '../command-support.js';
import { seg } from '../http-client.js';
import { keyValues, printJson, printLine, table, UsageError } from '../output.js';

import type { User } from '../../api/wire/index.js';

const REUSE_NAME_HELP = 'give a name an earlier (deleted or renamed) user held: their {username} folders become this user\'s (refused without it)';

export function registerUserCommands(program: Command): void {
  const user = program.command('user').description('manage users (administrators)');

  withClientOptions(
    user.command('create <name>').description('create a user (always in "All Users")')
      .option('--password-stdin', 'read the password from stdin (required)')
      .option('--group <group>', 'also add to this group (repeatable)', collect, [])
      .option('--reuse-name', REUSE_NAME_HELP),
  ).action(action(async (name: string, opts: ClientFlags & { passwordStdin?: boolean; group: string[]; reuseName?: boolean }) => {
    if (!opts.passwordStdin) throw new UsageError('user create: pass --password-stdin and pipe the password in');
    const password = await readStdin('--password-stdin');
    const created = await clientFrom(opts).post<User>('/users', {
      username: name, password, ...(opts.group.length ? { groups: opts.group } : {}), ...(opts.reuseName ? { reuse_name: true } : {}),
    });
    if (opts.json) printJson(created);
    else printLine(`created user ${created.username} (${created.user_id})`);
  }));

  withClientOptions(user.command('list').description('list users')).action(action(async (opts: ClientFlags) => {
    const users = await clientFrom(opts).get<User[]>('/users');
    if (opts.json) printJson(users);
    else printLine(table(['USERNAME', 'USER_ID', 'DISABLED', 'CREATED'], users.map((u) => [u.username, u.user_id, u.disabled, u.created_at])));
  }));

  withClientOptions(user.command('show <user>').description('show a user (username or id)')).action(action(async (ref: string, opts: ClientFlags) => {
    const u = await clientFrom(opts).get<User>(`/users/${seg(ref)}`);
    if (opts.json) printJson(u);
    else printLine(keyValues([['username', u.username], ['user_id', u.user_id], ['disabled', u.disabled], ['created_at', u.created_at], ['updated_at', u.updated_at]]));
  }));

  withClientOptions(
    user.command('rename <user> <new-name>').description('rename a user (the old name is retired: no new user gets it without --reuse-name)')
      .option('--reuse-name', REUSE_NAME_HELP),
  ).action(action(async (ref: string, newName: string, opts: ClientFlags & { reuseName?: boolean }) => {
    const u = await clientFrom(opts).patch<User>(`/users/${seg(ref)}`, { username: newName, ...(opts.reuseName ? { reuse_name: true } : {}) });
    if (opts.json) printJson(u);
    else printLine(`renamed user ${ref} to ${u.username}`);
  }));

  for (const [verb, disabled] of [['disable', true], ['enable', false]] as const) {
    withClientOptions(user.command(`${verb} <user>`).description(`${verb} a user${disabled ? ' (cannot sign in; tokens stop working)' : ''}`))
      .action(action(async (ref: string, opts: ClientFlags) => {
        const u = await clientFrom(opts).patch<User>(`/users/${seg(ref)}`, { disabled });
        if (opts.json) printJson(u);
        else printLine(`${verb}d user ${u.username}`);
      }));
  }

  withClientOptions(
    user.command('delete <user>').description('delete a user (refused while they have sessions, unless --force)')
      .option('--force', 'destroy the user\'s sessions first (their host folders are kept)'),
  ).action(action(async (ref: string, opts: ClientFlags & { force?: boolean }) => {
    await clientFrom(opts).delete(`/users/${seg(ref)}${opts.force ? '?force=true' : ''}`);
    if (opts.json) printJson({ deleted: ref });
    else printLine(`deleted user ${ref}`);
  }));
}
