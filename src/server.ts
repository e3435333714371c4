// `tether server`: open the store, make sure an administrator exists, build the API with the
// features it is given (Fastify plugins: server-sessions.ts, server-workspaces.ts) and the web
// UI, and listen; close cleanly on SIGINT/SIGTERM (the features release what they opened in
// their onClose hooks, then the store closes).
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import pino, { type Logger } from 'pino';
import { loadServerEnv, type Config } from './config.js';
import type { AppDeps } from './api/types.js';
import { buildApp, type Feature } from './api/app.js';
import { webUiPlugin } from './api/web-ui.js';
import { DEFAULT_SCRYPT_N, generatePassword, hashPassword } from './auth/index.js';
import { openStore } from './store/open-store.js';
import { ADMINISTRATORS_GROUP_ID, ALL_USERS_GROUP_ID } from './store/system-groups.js';
import type { Store } from './store/types.js';
import { mkdir, realpath } from 'node:fs/promises';
import { createSecretBox } from './secrets/index.js';
import { RevocationHub } from './auth/revocations.js';

/** How long a shutdown waits for answers in progress before cutting their connections. */
const SHUTDOWN_GRACE_MS = 5_000;

export interface ServerOptions {
  /** the features to serve besides the API's core and the web UI, in the order they load */
  features?: Feature[];
  /** where the generated admin password is printed (default stdout) */
  print?: (line: string) => void;
  logger?: Logger;
  /** install SIGINT/SIGTERM handlers (default true) */
  handleSignals?: boolean;
  scryptN?: number;
}

export interface RunningServer {
  app: FastifyInstance;
  deps: AppDeps;
  /** e.g. http://127.0.0.1:8080 */
  url: string;
  close(): Promise<void>;
}

/** The deps every server starts with: the store, the host-path policy, a logger. */
export async function buildServerDeps(config: Config, logger: Logger): Promise<AppDeps> {
  if (!config.database.includes('://')) await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
  const store = await openStore(config.database);
  // the one box of the server (the API seals, the sessions open): its key (TETHER_SECRET_KEY,
  // checked by loadServerEnv at start, or <dataDir>/secret.key) is read or made when first needed
  const policy = { ...config.policy, extraDenied: await withRealPaths(config.policy.extraDenied) };
  // one hub per server: the routes publish, the terminals, the app proxy and the sessions' end are heard on it
  const revocations = new RevocationHub();
  const serverEnv = loadServerEnv();
  const secureCookies = serverEnv.publicUrl?.protocol === 'https:';
  return {
    store, policy, logger, secrets: createSecretBox({ dataDir: config.dataDir, keyBase64: config.secretKey }), revocations, secureCookies,
    trustedProxies: serverEnv.trustedProxies,
  };
}

/**
 * Each denied path plus its real path: host preparation checks resolved paths, so a data dir
 * reached through a symlink must be denied under its real name too. A path that does not
 * exist yet stays as given.
 */
async function withRealPaths(paths: string[]): Promise<string[]> {
  const out = new Set(paths);
  for (const p of paths) {
    const real = await realpath(p).catch(() => null);
    if (real !== null) out.add(real);
  }
  return [...out];
}

/** First start: with no administrator, create (or restore) `admin` and print its password once. */
export async function ensureAdministrator(store: Store, config: Config, print: (line: string) => void, scryptN: number): Promise<void> {
  if ((await store.groups.members(ADMINISTRATORS_GROUP_ID)).length > 0) return;
  const password = config.adminPassword ?? generatePassword();
  const hash = await hashPassword(password, scryptN);
  const at = new Date().toISOString();
  await store.transaction(async (tx) => {
    const existing = await tx.users.getByUsername('admin');
    const userId = existing?.user_id ?? randomUUID();
    if (existing) await tx.users.update(userId, { password_hash: hash, disabled: false, updated_at: at });
    else {
      // Restoring access to a Tether without administrators: "admin" is given even if an earlier admin held it.
      await tx.users.create({ user_id: userId, username: 'admin', password_hash: hash, disabled: false, created_at: at, updated_at: at }, { reuseRetiredName: true });
      await tx.groups.addMember(ALL_USERS_GROUP_ID, userId);
    }
    await tx.groups.addMember(ADMINISTRATORS_GROUP_ID, userId);
    await tx.audit.append({
      audit_id: randomUUID(), at, actor_id: null, actor_name: '(system)', action: 'user.bootstrap-admin',
      target_type: 'user', target_id: userId, target_name: 'admin', before: null, after: { username: 'admin', administrator: true },
    });
  });
  if (config.adminPassword === undefined) print(`Created administrator "admin" with password: ${password}  (shown once; change it)`);
  else print('Created administrator "admin" with the password from TETHER_ADMIN_PASSWORD');
}

export async function startServer(config: Config, options: ServerOptions = {}): Promise<RunningServer> {
  const logger = options.logger ?? pino({ level: 'info' });
  const scryptN = options.scryptN ?? DEFAULT_SCRYPT_N;
  const deps = await buildServerDeps(config, logger);
  deps.auth = { ...deps.auth, scryptN };
  let app: FastifyInstance | undefined;
  try {
    await ensureAdministrator(deps.store, config, options.print ?? ((l) => process.stdout.write(`${l}\n`)), scryptN);
    app = await buildApp(deps, [...(options.features ?? []), webUiPlugin()]);
    await app.listen({ host: config.listen.host, port: config.listen.port });
  } catch (err) {
    await app?.close().catch(() => {});
    await deps.store.close().catch(() => {});
    throw err;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.listen.port;
  const host = config.listen.host.includes(':') ? `[${config.listen.host}]` : config.listen.host;
  const url = `http://${host}:${port}`;
  let closing: Promise<void> | undefined;
  const close = () => (closing ??= (async () => {
    // Fastify closes idle connections and lets answers in progress finish; one a client never
    // reads (a large body left unread) would hold the shutdown until the socket times out.
    // After the grace period every connection is cut.
    const cut = setTimeout(() => app.server.closeAllConnections(), SHUTDOWN_GRACE_MS);
    try {
      await app.close();
    } finally {
      clearTimeout(cut);
    }
    await deps.store.close();
  })());
  if (options.handleSignals !== false) {
    const onSignal = (signal: string) => {
      logger.info({ signal }, 'shutting down');
      close().then(() => process.exit(0), (err: unknown) => { logger.error({ err }, 'shutdown failed'); process.exit(1); });
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  }
  logger.info({ url }, 'tether server listening');
  return { app, deps, url, close };
}
