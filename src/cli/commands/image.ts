// `tether image create|update|list|show|delete`.
import { InvalidArgumentError, type Command } from 'commander';
import { action, clientFrom, collect, readStdin, readTextFile, withClientOptions, type ClientFlags } from '../command-support.js';
import { seg } from '../http-client.js';
import { keyValues, printJson, printLine, printWarnings, table } from '../output.js';
import { securityFrom, securityOptions, type SecurityFlags } from './image-security-flags.js';

import type { Image as ImageJson } from '../../api/wire/index.js';

/** a saved image also carries the warnings of the save */
type Image = ImageJson & { warnings?: string[] };

interface ImageFlags extends ClientFlags, SecurityFlags {
  dockerImage?: string; friendlyName?: string; volumeMappings?: string; persistentProfilePath?: string; profileHome?: string; profileTimeout?: string; user?: string;
  cores?: string; memory?: string; enabled?: boolean; group?: string[]; webPort?: number | 'none'; rename?: string; zones?: string;
  registryUsername?: string; registryPasswordStdin?: boolean; registryServer?: string;
  /** false with --no-registry-auth (commander's negated option; true by default) */
  registryAuth?: boolean;
}

const UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/** `2g`, `512m`, `1073741824` -> bytes (binary units). */
export function parseMemory(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([bkmgt]?)(?:i?b)?$/i.exec(text.trim());
  if (!m) throw new InvalidArgumentError(`--memory "${text}": expected bytes or a size like 512m, 2g`);
  return Math.round(Number(m[1]) * (UNITS[(m[2] ?? '').toLowerCase()] ?? 1));
}

const none = (v: string | undefined) => v === 'none' || v === '';

/**
 * --web-port: an integer, or "none" to clear it, like the other clearable flags. Returns the
 * marker 'none' rather than null: commander replaces a null from a parser with ''.
 */
export function parseWebPort(value: string): number | 'none' {
  if (none(value)) return 'none';
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`--web-port "${value}": expected a port number (integer) or "none" to clear it`);
  return Number(value);
}

async function bodyFrom(opts: ImageFlags, currentSecurity: () => Promise<Record<string, unknown>> = async () => ({})): Promise<Record<string, unknown>> {
  const body: Record<string, unknown> = {};
  if (opts.rename !== undefined) body.name = opts.rename;
  if (opts.dockerImage !== undefined) body.docker_image = opts.dockerImage;
  if (opts.friendlyName !== undefined) body.friendly_name = opts.friendlyName;
  if (opts.volumeMappings !== undefined) body.volume_mappings = await readTextFile(opts.volumeMappings, '--volume-mappings');
  if (opts.persistentProfilePath !== undefined) body.persistent_profile_path = none(opts.persistentProfilePath) ? null : opts.persistentProfilePath;
  if (opts.profileHome !== undefined) body.profile_home = none(opts.profileHome) ? null : opts.profileHome;
  if (opts.profileTimeout !== undefined) {
    if (!none(opts.profileTimeout) && !/^\d+(\.\d+)?$/.test(opts.profileTimeout)) throw new InvalidArgumentError(`--profile-timeout "${opts.profileTimeout}": expected seconds, e.g. 10 or 2.5`);
    body.profile_timeout = none(opts.profileTimeout) ? null : Number(opts.profileTimeout);
  }
  if (opts.user !== undefined) body.user = none(opts.user) ? null : opts.user;
  if (opts.cores !== undefined) {
    if (!none(opts.cores) && !/^\d+(\.\d+)?$/.test(opts.cores)) throw new InvalidArgumentError(`--cores "${opts.cores}": expected a number, e.g. 2 or 0.5`);
    body.cores = none(opts.cores) ? null : Number(opts.cores);
  }
  if (opts.memory !== undefined) body.memory = none(opts.memory) ? null : parseMemory(opts.memory);
  if (opts.enabled !== undefined) body.enabled = opts.enabled;
  if (opts.group !== undefined && opts.group.length > 0) body.groups = opts.group.includes('none') ? [] : opts.group;
  if (opts.webPort !== undefined) body.web_port = opts.webPort === 'none' ? null : opts.webPort;
  // a,b -> ["a","b"]; "none" (or nothing) = any zone; the server checks each name
  if (opts.zones !== undefined) body.zones = none(opts.zones) ? [] : opts.zones.split(',').map((z) => z.trim()).filter((z) => z !== '');
  const security = await securityFrom(opts, currentSecurity);
  if (security !== undefined) body.security = security;
  const auth = await registryAuthFrom(opts);
  if (auth !== undefined) body.registry_auth = auth;
  return body;
}

/** registry_auth for the body: undefined = unchanged, null = cleared; the password only ever comes from stdin. */
async function registryAuthFrom(opts: ImageFlags): Promise<Record<string, string> | null | undefined> {
  const given = opts.registryUsername !== undefined || opts.registryPasswordStdin === true || opts.registryServer !== undefined;
  if (opts.registryAuth === false) {
    if (given) throw new InvalidArgumentError('--no-registry-auth contradicts --registry-username/--registry-password-stdin/--registry-server');
    return null;
  }
  if (!given) return undefined;
  if (opts.registryUsername === undefined || opts.registryPasswordStdin !== true) {
    throw new InvalidArgumentError('registry credentials: give both --registry-username U and --registry-password-stdin (the password piped in), and optionally --registry-server HOST[:PORT]');
  }
  if (opts.volumeMappings === '-') throw new InvalidArgumentError('--registry-password-stdin and --volume-mappings - both want stdin; give the mappings as a file');
  const password = await readStdin('--registry-password-stdin');
  if (password === '') throw new InvalidArgumentError('--registry-password-stdin: stdin was empty; expected the registry password');
  return { username: opts.registryUsername, password, ...(opts.registryServer !== undefined ? { serveraddress: opts.registryServer } : {}) };
}

function imageOptions(cmd: Command): Command {
  return withClientOptions(securityOptions(cmd)
    .option('--friendly-name <text>', 'name shown to users')
    .option('--volume-mappings <file>', 'mapping document (JSON file; - = stdin)')
    .option('--persistent-profile-path <path>', 'persistent profile location with {username} or {user_id} ("none" clears)')
    .option('--profile-home <path>', 'where the profile is mounted in the session, its HOME ("none" = /home/user)')
    .option('--profile-timeout <seconds>', 'how long preparing the profile may take ("none" = 10)')
    .option('--user <uid:gid>', 'user the session runs as ("none" = the image default)')
    .option('--cores <n>', 'CPU cores ("none" = the server default, TETHER_SESSION_CORES)')
    .option('--memory <size>', 'memory limit, e.g. 2g ("none" = the server default, TETHER_SESSION_MEMORY)')
    .option('--enabled', 'users may launch it')
    .option('--disabled', 'hidden from users')
    .option('--group <group>', 'group allowed to launch it (repeatable; "none" = everyone)', collect)
    .option('--web-port <port>', 'port of the workspace web app ("none" clears)', parseWebPort)
    .option('--zones <a,b>', 'swarm: the zones (node label tether.zone) its sessions may run in ("none" = any)')
    .option('--registry-username <user>', 'registry user for pulling the image (with --registry-password-stdin)')
    .option('--registry-password-stdin', 'read the registry password from stdin; stored encrypted, never shown')
    .option('--registry-server <host[:port]>', 'registry the credentials are for (default: the one in the image reference)')
    .option('--no-registry-auth', 'forget the stored registry credentials (pull anonymously)'));
}

function enabledFrom(opts: ImageFlags & { disabled?: boolean }): ImageFlags {
  if (opts.enabled && opts.disabled) throw new InvalidArgumentError('--enabled and --disabled contradict each other');
  return { ...opts, enabled: opts.disabled ? false : opts.enabled ? true : undefined };
}

function printImage(i: Image): void {
  printLine(keyValues([
    ['name', i.name], ['image_id', i.image_id], ['friendly_name', i.friendly_name], ['docker_image', i.docker_image], ['enabled', i.enabled],
    ['user', i.user ?? 'image default'], ['cores', i.cores ?? 'server default'], ['memory', i.memory ?? 'server default'],
    ['persistent_profile_path', i.persistent_profile_path], ['profile_home', i.profile_home], ['profile_timeout', i.profile_timeout], ['groups', i.groups.join(', ') || 'everyone'], ['web_port', i.web_port],
    ['registry_auth', i.has_registry_auth ? 'stored (encrypted)' : 'none'],
    ['security', Object.keys(i.security ?? {}).length > 0 ? JSON.stringify(i.security) : 'defaults'],
    ['zones', i.zones && i.zones.length > 0 ? i.zones.join(', ') : 'any'],
  ]));
  printLine(`volume_mappings: ${JSON.stringify(i.volume_mappings, null, 2)}`);
}

export function registerImageCommands(program: Command): void {
  const image = program.command('image').description('manage workspace images');

  imageOptions(image.command('create <name>').description('create an image (administrators)').requiredOption('--docker-image <ref>', 'image reference'))
    .action(action(async (name: string, opts: ImageFlags & { disabled?: boolean }) => {
      const created = await clientFrom(opts).post<Image>('/images', { name, ...(await bodyFrom(enabledFrom(opts))) });
      if (opts.json) printJson(created);
      else printLine(`created image ${created.name} (${created.image_id})`);
      if (!opts.json) printWarnings(created);
    }));

  imageOptions(image.command('update <image>').description('change an image; only the given options change (administrators)')
    .option('--docker-image <ref>', 'image reference').option('--rename <name>', 'new name'))
    .action(action(async (ref: string, opts: ImageFlags & { disabled?: boolean }) => {
      const client = clientFrom(opts);
      const body = await bodyFrom(enabledFrom(opts), async () => (await client.get<Image>(`/images/${seg(ref)}`)).security ?? {});
      if (Object.keys(body).length === 0) throw new InvalidArgumentError('image update: give at least one option to change');
      const updated = await client.patch<Image>(`/images/${seg(ref)}`, body);
      if (opts.json) printJson(updated);
      else printLine(`updated image ${updated.name}`);
      if (!opts.json) printWarnings(updated);
    }));

  withClientOptions(image.command('list').description('list images (users: the ones they may launch)')).action(action(async (opts: ClientFlags) => {
    const images = await clientFrom(opts).get<Image[]>('/images');
    if (opts.json) printJson(images);
    else {
      printLine(table(['NAME', 'DOCKER_IMAGE', 'ENABLED', 'MAPPINGS', 'GROUPS', 'IMAGE_ID'],
        images.map((i) => [i.name, i.docker_image, i.enabled, Object.keys(i.volume_mappings).length, i.groups.length || 'everyone', i.image_id])));
    }
  }));

  withClientOptions(image.command('show <image>').description('show an image')).action(action(async (ref: string, opts: ClientFlags) => {
    const i = await clientFrom(opts).get<Image>(`/images/${seg(ref)}`);
    if (opts.json) printJson(i);
    else printImage(i);
  }));

  withClientOptions(image.command('delete <image>').description('delete an image (administrators)')).action(action(async (ref: string, opts: ClientFlags) => {
    await clientFrom(opts).delete(`/images/${seg(ref)}`);
    if (opts.json) printJson({ deleted: ref });
    else printLine(`deleted image ${ref}`);
  }));
}
