// `tether image create|update` flags for an image's `security` overrides: a whole document
// (--security FILE, "none" = the defaults) or one setting at a time (--network, --cap-add,
// --cap-drop, --pids-limit, --new-privileges). On update, single settings change only
// themselves: the current document is read first. The server validates every value.
import { InvalidArgumentError, type Command } from 'commander';
import { collect, readTextFile } from '../command-support.js';

export interface SecurityFlags {
  security?: string;
  network?: string;
  capAdd?: string[];
  capDrop?: string[];
  pidsLimit?: string;
  newPrivileges?: string;
}

export function securityOptions(cmd: Command): Command {
  return cmd
    .option('--security <file>', 'session confinement overrides, a JSON object (file; - = stdin; "none" = the defaults); see docs/sessions.md')
    .option('--network <name>', 'engine network the sessions join ("default" = the isolated tether-sessions network)')
    .option('--cap-add <cap>', 'capability added to the default set (repeatable), e.g. SYS_PTRACE', collect)
    .option('--cap-drop <cap>', 'capability removed from the default set (repeatable; ALL = none of them)', collect)
    .option('--pids-limit <n>', 'processes a session may hold ("none" = no limit, "default" = the server default)')
    .option('--new-privileges <allow|deny>', 'allow: setuid programs such as sudo work (no_new_privileges off); deny: the default');
}

type Settings = Record<string, unknown>;

/** The settings the single flags ask for; undefined = a key back to its default. */
function singleSettings(o: SecurityFlags): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  if (o.network !== undefined) out.network = o.network === 'default' ? undefined : o.network;
  if (o.capAdd !== undefined) out.cap_add = o.capAdd;
  if (o.capDrop !== undefined) out.cap_drop = o.capDrop;
  if (o.pidsLimit !== undefined) {
    if (o.pidsLimit === 'none') out.pids_limit = null;
    else if (o.pidsLimit === 'default') out.pids_limit = undefined;
    else if (/^\d+$/.test(o.pidsLimit)) out.pids_limit = Number(o.pidsLimit);
    else throw new InvalidArgumentError(`--pids-limit "${o.pidsLimit}": expected a number of processes, "none" or "default"`);
  }
  if (o.newPrivileges !== undefined) {
    if (o.newPrivileges !== 'allow' && o.newPrivileges !== 'deny') throw new InvalidArgumentError(`--new-privileges "${o.newPrivileges}": expected allow or deny`);
    out.no_new_privileges = o.newPrivileges === 'allow' ? false : undefined;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/**
 * The body's `security`: undefined = unchanged, null = the defaults. `current` reads the
 * image's document (update), called only when single flags change part of it.
 */
export async function securityFrom(o: SecurityFlags, current: () => Promise<Settings>): Promise<Settings | null | undefined> {
  const single = singleSettings(o);
  if (o.security !== undefined) {
    if (single) throw new InvalidArgumentError('--security replaces the whole document: give the other settings inside it, not as --network/--cap-add/--cap-drop/--pids-limit/--new-privileges');
    if (o.security === 'none') return null;
    const text = await readTextFile(o.security, '--security');
    try {
      return JSON.parse(text) as Settings;
    } catch (err) {
      throw new InvalidArgumentError(`--security ${o.security}: not JSON (${(err as Error).message}); expected an object such as {"pids_limit": 4096}`);
    }
  }
  if (!single) return undefined;
  const merged: Settings = { ...(await current()), ...single };
  for (const [k, v] of Object.entries(merged)) if (v === undefined) delete merged[k];
  return merged;
}
