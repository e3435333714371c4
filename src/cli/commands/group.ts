// `tether group create|list|show|delete|set|add-member|remove-member`.
import type { Command } from 'commander';
import { action, clientFrom, parseInteger, readTextFile, withClientOptions, type ClientFlags } from '../command-support.js';
import { seg } from '../http-client.js';
import { keyValues, printJson, printLine, printWarnings, table } from '../output.js';

import type { Group, User } from '../../api/wire/index.js';

/** VALUE as JSON when it parses (`true`, `5`, `null`), else the plain string. */
function settingValue(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

export function registerGroupCommands(program: Command): void {
  const group = program.command('group').description('manage groups, their settings and members (administrators)');

  withClientOptions(
    group.command('create <name>').description('create a group')
      .requiredOption('--priority <n>', 'unique priority; lower wins when mappings collide', parseInteger('--priority'))
      .option('--volume-mappings <file>', 'mapping document (JSON file; - = stdin)'),
  ).action(action(async (name: string, opts: ClientFlags & { priority: number; volumeMappings?: string }) => {
    const body: Record<string, unknown> = { name, priority: opts.priority };
    // Sent as text so the server can detect duplicate keys in the file.
    if (opts.volumeMappings !== undefined) body.settings = { volume_mappings: await readTextFile(opts.volumeMappings, '--volume-mappings') };
    const created = await clientFrom(opts).post<Group>('/groups', body);
    if (opts.json) printJson(created);
    else printLine(`created group ${created.name} (${created.group_id}), priority ${created.priority}`);
    if (!opts.json) printWarnings(created);
  }));

  withClientOptions(group.command('list').description('list groups by priority')).action(action(async (opts: ClientFlags) => {
    const groups = await clientFrom(opts).get<Group[]>('/groups');
    if (opts.json) printJson(groups);
    else {
      printLine(table(['NAME', 'PRIORITY', 'SYSTEM', 'MAPPINGS', 'GROUP_ID'],
        groups.map((g) => [g.name, g.priority, g.system, Object.keys(g.settings.volume_mappings).length, g.group_id])));
    }
  }));

  withClientOptions(group.command('show <group>').description('show a group, its settings and members')).action(action(async (ref: string, opts: ClientFlags) => {
    const client = clientFrom(opts);
    const g = await client.get<Group>(`/groups/${seg(ref)}`);
    if (opts.json) return printJson(g);
    const members = await client.get<User[]>(`/groups/${seg(ref)}/members`);
    printLine(keyValues([
      ['name', g.name], ['group_id', g.group_id], ['priority', g.priority], ['system', g.system],
      ['allow_persistent_profile', g.settings.allow_persistent_profile], ['max_sessions_per_user', g.settings.max_sessions_per_user],
      ['session_time_limit', g.settings.session_time_limit ?? 'none'], ['members', members.map((m) => m.username).join(', ') || '(none)'],
    ]));
    printLine(`volume_mappings: ${JSON.stringify(g.settings.volume_mappings, null, 2)}`);
  }));

  withClientOptions(group.command('delete <group>').description('delete a group (not a system group)')).action(action(async (ref: string, opts: ClientFlags) => {
    await clientFrom(opts).delete(`/groups/${seg(ref)}`);
    if (opts.json) printJson({ deleted: ref });
    else printLine(`deleted group ${ref}`);
  }));

  withClientOptions(
    group.command('set <group> <setting> <value>')
      .description('set one setting: volume_mappings (JSON text or @FILE), allow_persistent_profile, max_sessions_per_user, session_time_limit'),
  ).action(action(async (ref: string, setting: string, value: string, opts: ClientFlags) => {
    let parsed: unknown;
    if (setting === 'volume_mappings') parsed = value.startsWith('@') ? await readTextFile(value.slice(1), 'volume_mappings @FILE') : value;
    else parsed = settingValue(value);
    const g = await clientFrom(opts).patch<Group>(`/groups/${seg(ref)}`, { settings: { [setting]: parsed } });
    if (opts.json) printJson(g);
    else printLine(`group ${g.name}: ${setting} = ${JSON.stringify((g.settings as Record<string, unknown>)[setting])}`);
    if (!opts.json) printWarnings(g);
  }));

  for (const [verb, method] of [['add-member', 'add'], ['remove-member', 'remove']] as const) {
    withClientOptions(group.command(`${verb} <group> <user>`).description(`${method} a user to/from a group`))
      .action(action(async (ref: string, user: string, opts: ClientFlags) => {
        const client = clientFrom(opts);
        if (method === 'add') await client.post(`/groups/${seg(ref)}/members`, { user });
        else await client.delete(`/groups/${seg(ref)}/members/${seg(user)}`);
        if (opts.json) printJson({ group: ref, user, member: method === 'add' });
        else printLine(method === 'add' ? `added ${user} to ${ref}` : `removed ${user} from ${ref}`);
      }));
  }
}
