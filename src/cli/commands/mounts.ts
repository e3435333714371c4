// `tether mounts --image NAME [--user USER]`: the effective mounts from stored configuration.
import type { Command } from 'commander';
import { action, clientFrom, withClientOptions, type ClientFlags } from '../command-support.js';
import { printJson, printLine, table } from '../output.js';
import type { MountsAnswer as View } from '../../api/wire/index.js';
import type { MountSource as Source } from '../../mappings/types.js';

const src = (s: Source) => (s.kind === 'profile' ? `profile of ${s.name}` : s.kind === 'image' ? `image ${s.name}` : `group ${s.name} (${s.priority})`);
const owner = (m: { uid: number | null; gid: number | null }) => (m.uid === null && m.gid === null ? '-' : `${m.uid ?? '-'}:${m.gid ?? '-'}`);

export function registerMountsCommand(program: Command): void {
  withClientOptions(program.command('mounts').description('show what a session of IMAGE launched by USER would mount')
    .requiredOption('--image <image>', 'image name or id')
    .option('--user <user>', 'username or id (default: yourself)'))
    .action(action(async (opts: ClientFlags & { image: string; user?: string }) => {
      const view = await clientFrom(opts).get<View>('/effective-mounts', { image: opts.image, user: opts.user });
      if (opts.json) return printJson(view);
      printLine(`effective mounts of image ${view.image.name} for user ${view.user.username}:`);
      printLine(view.mounts.length === 0 ? '(none)' : table(['BIND', 'HOST_PATH', 'MODE', 'OWNER', 'REQUIRED', 'SOURCE'],
        view.mounts.map((m) => [m.bind, m.host_path, m.mode, owner(m), m.required, src(m.source)])));
      if (view.shadowed.length > 0) {
        printLine('\nshadowed (not mounted):');
        printLine(table(['BIND', 'HOST_PATH', 'SOURCE', 'SHADOWED_BY'], view.shadowed.map((m) => [m.bind, m.host_path, src(m.source), src(m.shadowed_by)])));
      }
      if (view.conflicts.length > 0) {
        printLine('\nownership conflicts:');
        printLine(table(['HOST_PATH', 'APPLIED', 'FROM'], view.conflicts.map((c) => [c.host_path, owner(c.applied), src(c.applied.source)])));
      }
    }));
}
