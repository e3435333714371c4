// The one place that reads the environment. Everything else receives a Config (or parts of
// it). Precedence: CLI flags (overrides) > environment > defaults.
import { isIP } from 'node:net';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HostPathPolicy } from './mappings/types.js';
import { keyFromBase64 } from './secrets/secret-key.js';
import { DEFAULT_PIDS_LIMIT, DEFAULT_SESSION_CORES, DEFAULT_SESSION_MEMORY, MAX_PIDS_LIMIT, MIN_PIDS_LIMIT } from './runtime/hardening.js';

export interface ListenAddress {
  host: string;
  port: number;
}

export interface Config {
  /** TETHER_DATA_DIR; default $XDG_DATA_HOME/tether, else ~/.local/share/tether */
  dataDir: string;
  /** TETHER_DATABASE: `postgres://...` or a SQLite file; default <dataDir>/tether.db */
  database: string;
  /** TETHER_LISTEN, HOST:PORT; default 127.0.0.1:8080 */
  listen: ListenAddress;
  /** TETHER_ADMIN_PASSWORD: the first administrator's password (else one is generated) */
  adminPassword: string | undefined;
  /** TETHER_ALLOWED_ROOTS, colon-separated; empty = no allowlist */
  allowedRoots: string[];
  /** TETHER_URL, for the CLI; default http://127.0.0.1:8080 */
  url: string;
  /** TETHER_TOKEN, for the CLI */
  token: string | undefined;
  /** DOCKER_HOST, for the runtime; undefined = the engine's default socket */
  dockerHost: string | undefined;
  /**
   * TETHER_RUNTIME (or `tether server --runtime`): where sessions run. `docker` (default): one
   * engine; `swarm`: one-replica services on the swarm whose manager DOCKER_HOST names.
   */
  runtime: RuntimeKind;
  /** TETHER_SECRET_KEY: base64 of the 32-byte key sealing stored secrets; undefined = <dataDir>/secret.key (made on first use) */
  secretKey: string | undefined;
  /**
   * the host-path policy: Tether's own files are always denied (its data dir, its SQLite
   * database file, its code: tetherOwnPaths), the allowlist from allowedRoots
   */
  policy: HostPathPolicy;
}

export type RuntimeKind = 'docker' | 'swarm';

/** `docker` or `swarm`; anything else is refused with where it came from. */
export function parseRuntimeKind(where: string, value: string): RuntimeKind {
  const v = value.trim();
  if (v === 'docker' || v === 'swarm') return v;
  throw new Error(`${where}: "${value}" is not a runtime; expected docker (one engine, the default) or swarm (services on a Docker Swarm)`);
}

export interface ConfigOverrides {
  runtime?: string;
  dataDir?: string;
  database?: string;
  listen?: string;
  url?: string;
  token?: string;
}

export const DEFAULT_LISTEN = '127.0.0.1:8080';
export const DEFAULT_URL = 'http://127.0.0.1:8080';
/** Same as store/open-store.ts SQLITE_FILE_NAME; not imported so the CLI does not load the store drivers just to read its config. */
export const SQLITE_FILE_NAME = 'tether.db';

/** Tether's code: the package root (this file is src/config.ts or dist/config.js). */
export const TETHER_CODE_ROOT = fileURLToPath(new URL('..', import.meta.url)).replace(/\/+$/, '');

/**
 * What no mapping may expose, wherever it lives: the data dir (the default secret.key is in
 * it), a SQLite database file kept elsewhere, and Tether's code. server.ts adds their real
 * paths (symlinks resolved), since the preparer checks resolved paths.
 */
export function tetherOwnPaths(dataDir: string, database: string): string[] {
  const paths = [dataDir, TETHER_CODE_ROOT];
  if (!database.includes('://')) paths.push(resolve(database));
  return paths;
}

/** `HOST:PORT`, `[v6]:PORT` or `:PORT`; port 0 = any free port. */
export function parseListen(text: string): ListenAddress {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(text.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new Error(`listen address "${text}": expected HOST:PORT, e.g. 127.0.0.1:8080 (port 0..65535)`);
  return { host: m[1] ?? (m[2] || '127.0.0.1'), port };
}

/** A 0/1 switch; unset or empty = false. Anything else is refused rather than guessed. */
function parseFlag(name: string, value: string | undefined): boolean {
  const v = nonEmpty(value)?.trim();
  if (v === undefined || v === '0') return false;
  if (v === '1') return true;
  throw new Error(`${name}: "${value}" is not a switch; expected 1 (on) or 0 (off)`);
}

const nonEmpty = (v: string | undefined): string | undefined => (v === undefined || v.trim() === '' ? undefined : v);

/** What only `tether server` reads from the environment (see loadServerEnv). */
export interface ServerEnv {
  /** TETHER_METRICS_PUBLIC=1: GET /metrics without a token (a private network); default false = administrators only */
  metricsPublic: boolean;
  /**
   * TETHER_PUBLIC_URL: the URL people reach Tether at (e.g. behind a TLS reverse proxy);
   * https:// makes Tether's cookies `__Host-` prefixed and Secure. Unset = as reached (plain HTTP cookies).
   */
  publicUrl: URL | undefined;
  /**
   * TETHER_TRUSTED_PROXIES: reverse proxies (addresses or CIDRs, comma- or space-separated)
   * whose X-Forwarded-For names the client; empty = none, the header is ignored
   */
  trustedProxies: string[];
  /**
   * TETHER_SESSIONS_REACH_API=1: sessions may open connections to the API's port on this host;
   * default false: the sessions' firewall drops every new connection from a session to this host
   */
  sessionsReachApi: boolean;
  /** TETHER_SESSION_CORES / TETHER_SESSION_MEMORY / TETHER_SESSION_PIDS_LIMIT: limits of images that set none; null = no limit */
  sessionDefaults: { cores: number | null; memory: number | null; pidsLimit: number | null };
}

/**
 * Parsed where the server starts (server-sessions.ts), not in loadConfig: every CLI command
 * calls loadConfig, and a bad server-only value must not stop `tether image list`. A malformed
 * TETHER_SECRET_KEY stops the start here rather than at the first launch that needs the key.
 */
export function loadServerEnv(env: NodeJS.ProcessEnv = process.env): ServerEnv {
  const secretKey = nonEmpty(env.TETHER_SECRET_KEY);
  if (secretKey !== undefined) keyFromBase64(secretKey);
  return {
    metricsPublic: parseFlag('TETHER_METRICS_PUBLIC', env.TETHER_METRICS_PUBLIC),
    publicUrl: parsePublicUrl(env.TETHER_PUBLIC_URL),
    trustedProxies: parseTrustedProxies(env.TETHER_TRUSTED_PROXIES),
    sessionsReachApi: parseFlag('TETHER_SESSIONS_REACH_API', env.TETHER_SESSIONS_REACH_API),
    sessionDefaults: parseSessionDefaults(env),
  };
}

const SIZE_UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/** Session limits for images that set none: `0` = no limit; unset = the built-in default. */
export function parseSessionDefaults(env: NodeJS.ProcessEnv): ServerEnv['sessionDefaults'] {
  const cores = nonEmpty(env.TETHER_SESSION_CORES)?.trim();
  const memory = nonEmpty(env.TETHER_SESSION_MEMORY)?.trim().toLowerCase();
  const pids = nonEmpty(env.TETHER_SESSION_PIDS_LIMIT)?.trim();
  const out: ServerEnv['sessionDefaults'] = { cores: DEFAULT_SESSION_CORES, memory: DEFAULT_SESSION_MEMORY, pidsLimit: DEFAULT_PIDS_LIMIT };
  if (cores !== undefined) {
    const n = Number(cores);
    if (!/^\d+(\.\d+)?$/.test(cores) || n > 1024) throw new Error(`TETHER_SESSION_CORES: "${cores}" is not a number of CPUs; expected e.g. 2 or 0.5 (at most 1024), or 0 for no limit`);
    out.cores = n === 0 ? null : n;
  }
  if (memory !== undefined) {
    const m = /^(\d+)([kmgt]?)$/.exec(memory);
    const bytes = m ? Number(m[1]) * (SIZE_UNITS[m[2] ?? ''] ?? 1) : NaN;
    if (!m || (bytes !== 0 && (bytes < 6 * 1024 ** 2 || bytes > 16 * 1024 ** 4))) {
      throw new Error(`TETHER_SESSION_MEMORY: "${env.TETHER_SESSION_MEMORY}" is not a memory size; expected bytes or e.g. 512m, 4g (6m to 16t), or 0 for no limit`);
    }
    out.memory = bytes === 0 ? null : bytes;
  }
  if (pids !== undefined) {
    const n = Number(pids);
    if (!/^\d+$/.test(pids) || (n !== 0 && (n < MIN_PIDS_LIMIT || n > MAX_PIDS_LIMIT))) {
      throw new Error(`TETHER_SESSION_PIDS_LIMIT: "${pids}" is not a process count; expected an integer from ${MIN_PIDS_LIMIT} to ${MAX_PIDS_LIMIT}, or 0 for no limit`);
    }
    out.pidsLimit = n === 0 ? null : n;
  }
  return out;
}

/** `10.0.0.5, 192.168.0.0/16 ::1` -> each entry checked: an IPv4/IPv6 address, optionally /prefix. */
export function parseTrustedProxies(value: string | undefined): string[] {
  const entries = (nonEmpty(value) ?? '').split(/[\s,]+/).filter((e) => e !== '');
  for (const entry of entries) {
    const [address = '', prefix, extra] = entry.split('/');
    const family = isIP(address);
    const bits = family === 4 ? 32 : 128;
    const prefixOk = prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= bits);
    if (family === 0 || !prefixOk || extra !== undefined) {
      throw new Error(`TETHER_TRUSTED_PROXIES: "${entry}" is not an address or CIDR; expected e.g. 127.0.0.1, 10.0.0.0/8 or ::1 (comma-separated)`);
    }
  }
  return entries;
}

/** An http(s) URL with a host and no credentials, query or fragment; unset or empty = undefined. */
export function parsePublicUrl(value: string | undefined): URL | undefined {
  const v = nonEmpty(value)?.trim();
  if (v === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    throw new Error(`TETHER_PUBLIC_URL: "${v}" is not a URL; expected e.g. https://tether.example.org`);
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.hostname === '' || url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') {
    throw new Error(`TETHER_PUBLIC_URL: "${v}" must be http:// or https:// with a host and nothing after the path, e.g. https://tether.example.org`);
  }
  return url;
}

export function loadConfig(overrides: ConfigOverrides = {}, env: NodeJS.ProcessEnv = process.env): Config {
  const xdg = nonEmpty(env.XDG_DATA_HOME) ?? join(homedir(), '.local', 'share');
  const dataDir = resolve(overrides.dataDir ?? nonEmpty(env.TETHER_DATA_DIR) ?? join(xdg, 'tether'));
  const allowedRoots = (nonEmpty(env.TETHER_ALLOWED_ROOTS) ?? '').split(':').filter((p) => p !== '');
  for (const root of allowedRoots) {
    if (!root.startsWith('/')) throw new Error(`TETHER_ALLOWED_ROOTS: "${root}" is not an absolute path; expected e.g. /srv/tether:/mnt/shares`);
  }
  const database = overrides.database ?? nonEmpty(env.TETHER_DATABASE) ?? join(dataDir, SQLITE_FILE_NAME);
  return {
    dataDir,
    database,
    listen: parseListen(overrides.listen ?? nonEmpty(env.TETHER_LISTEN) ?? DEFAULT_LISTEN),
    adminPassword: nonEmpty(env.TETHER_ADMIN_PASSWORD),
    allowedRoots,
    url: (overrides.url ?? nonEmpty(env.TETHER_URL) ?? DEFAULT_URL).replace(/\/+$/, ''),
    token: overrides.token ?? nonEmpty(env.TETHER_TOKEN),
    dockerHost: nonEmpty(env.DOCKER_HOST),
    runtime: overrides.runtime !== undefined ? parseRuntimeKind('--runtime', overrides.runtime)
      : parseRuntimeKind('TETHER_RUNTIME', nonEmpty(env.TETHER_RUNTIME) ?? 'docker'),
    secretKey: nonEmpty(env.TETHER_SECRET_KEY),
    policy: { extraDenied: tetherOwnPaths(dataDir, database), allowedRoots },
  };
}

/** `tether agent`'s settings: flags > TETHER_AGENT_* environment > defaults. */
export interface AgentConfig {
  /** --listen, TETHER_AGENT_LISTEN, or 0.0.0.0:<TETHER_AGENT_PORT or 7710> */
  listen: ListenAddress;
  /** --key-file, TETHER_AGENT_KEY_FILE, default /run/secrets/tether-agent-key (the Swarm secret) */
  keyFile: string;
  /** --host-root, TETHER_AGENT_HOST_ROOT, default /: where the agent sees the node's / */
  hostRoot: string;
  /** --docker-host, DOCKER_HOST; undefined = the node's socket */
  dockerHost: string | undefined;
  /** the same host-path policy as the server's (TETHER_ALLOWED_ROOTS, Tether's own files) */
  policy: HostPathPolicy;
}

export const DEFAULT_AGENT_PORT = 7710;
export const DEFAULT_AGENT_KEY_FILE = '/run/secrets/tether-agent-key';

export function loadAgentConfig(flags: { listen?: string; keyFile?: string; hostRoot?: string; dockerHost?: string }, env: NodeJS.ProcessEnv = process.env): AgentConfig {
  const portText = nonEmpty(env.TETHER_AGENT_PORT);
  if (portText !== undefined && !/^\d{1,5}$/.test(portText.trim())) throw new Error(`TETHER_AGENT_PORT: "${portText}" is not a port; expected e.g. ${DEFAULT_AGENT_PORT}`);
  const listenText = flags.listen ?? nonEmpty(env.TETHER_AGENT_LISTEN) ?? `0.0.0.0:${portText?.trim() ?? DEFAULT_AGENT_PORT}`;
  const hostRoot = flags.hostRoot ?? nonEmpty(env.TETHER_AGENT_HOST_ROOT) ?? '/';
  if (!hostRoot.startsWith('/')) throw new Error(`--host-root: "${hostRoot}" is not an absolute path; expected / (a plain process) or e.g. /host (in the agent's container)`);
  const keyFile = flags.keyFile ?? nonEmpty(env.TETHER_AGENT_KEY_FILE) ?? DEFAULT_AGENT_KEY_FILE;
  return {
    listen: parseListen(listenText),
    keyFile: resolve(keyFile),
    hostRoot,
    dockerHost: flags.dockerHost ?? nonEmpty(env.DOCKER_HOST),
    policy: loadConfig({}, env).policy,
  };
}

/** The server's join key file for the agents: TETHER_AGENT_KEY_FILE, else <dataDir>/agent.key (made at first use). */
export function serverAgentKeyFile(config: Pick<Config, 'dataDir'>, env: NodeJS.ProcessEnv = process.env): string {
  const file = nonEmpty(env.TETHER_AGENT_KEY_FILE);
  return file !== undefined ? resolve(file) : join(config.dataDir, 'agent.key');
}
