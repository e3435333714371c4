// An API instance over a fresh store (see databases.ts), plus helpers that make users and
// tokens directly in the store, so tests start from a known state without going through
// the routes they test. Passwords use a low scrypt cost (2^10) here only, to keep tests fast.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { buildApp, type Feature } from '../../src/api/app.js';
import type { AppDeps } from '../../src/api/types.js';
import { generateTokenSecret, hashPassword } from '../../src/auth/index.js';
import { ADMINISTRATORS_GROUP_ID, ALL_USERS_GROUP_ID } from '../../src/store/system-groups.js';
import type { Store, UserRecord } from '../../src/store/types.js';
import { freshStore, type StoreKind } from './databases.js';

export const TEST_SCRYPT_N = 2 ** 10;
export const TEST_POLICY = { extraDenied: ['/var/lib/tether-test-data'], allowedRoots: [] };

export interface TestApp {
  kind: StoreKind;
  /** the database's URL (a second openStore on it is another connection, as another process would be) */
  url: string;
  app: FastifyInstance;
  store: Store;
  admin: UserRecord;
  adminToken: string;
  /** a user (not an administrator) directly in the store, with an API token */
  makeUser(username: string, opts?: { admin?: boolean; password?: string; disabled?: boolean }): Promise<{ user: UserRecord; token: string }>;
  /** an API token for a user, directly in the store */
  makeToken(userId: string, opts?: { expiresAt?: string; revokedAt?: string; kind?: 'api' | 'login' }): Promise<string>;
  /** app.inject with a bearer token */
  call(token: string | null, opts: InjectOptions): Promise<LightMyRequestResponse>;
  cleanup(): Promise<void>;
}

/** The API over a fresh store, with the given features (Fastify plugins, as `tether server` composes them). */
export async function makeTestApp(kind: StoreKind, extra: Partial<AppDeps> = {}, features: Feature[] = []): Promise<TestApp> {
  const fresh = await freshStore(kind);
  const store = fresh.store;
  let app: FastifyInstance | undefined;
  try {
    const makeToken: TestApp['makeToken'] = async (userId, opts = {}) => {
      const { secret, digest } = generateTokenSecret();
      await store.tokens.create({
        token_id: randomUUID(), user_id: userId, kind: opts.kind ?? 'api', name: 'test', digest, created_at: new Date().toISOString(),
        expires_at: opts.expiresAt ?? null, revoked_at: opts.revokedAt ?? null, last_used_at: null,
      });
      return secret;
    };
    const makeUser: TestApp['makeUser'] = async (username, opts = {}) => {
      const at = new Date().toISOString();
      const user: UserRecord = {
        user_id: randomUUID(), username, password_hash: await hashPassword(opts.password ?? 'password-1234', TEST_SCRYPT_N),
        disabled: opts.disabled ?? false, created_at: at, updated_at: at,
      };
      await store.users.create(user);
      await store.groups.addMember(ALL_USERS_GROUP_ID, user.user_id);
      if (opts.admin) await store.groups.addMember(ADMINISTRATORS_GROUP_ID, user.user_id);
      return { user, token: await makeToken(user.user_id) };
    };
    const { user: admin, token: adminToken } = await makeUser('admin', { admin: true });
    app = await buildApp({ store, policy: TEST_POLICY, auth: { scryptN: TEST_SCRYPT_N }, ...extra }, features);
    const built = app;
    return {
      kind, url: fresh.url, app: built, store, admin, adminToken, makeUser, makeToken,
      call: (token, opts) => built.inject({ ...opts, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...opts.headers } }),
      async cleanup() {
        await built.close();
        await fresh.cleanup();
      },
    };
  } catch (err) {
    await app?.close();
    await fresh.cleanup();
    throw err;
  }
}

/** Everything the API manages, for "nothing changed" comparisons. */
export async function dumpStore(store: Store): Promise<unknown> {
  const users = await store.users.list();
  const groups = await store.groups.list();
  const members: Record<string, string[]> = {};
  for (const g of groups) members[g.name] = (await store.groups.members(g.group_id)).map((u) => u.username).sort();
  const images = await store.images.list();
  const tokens = await store.tokens.list();
  const sortBy = <T>(xs: T[], key: (x: T) => string) => [...xs].sort((a, b) => key(a).localeCompare(key(b)));
  return {
    users: sortBy(users, (u) => u.user_id),
    groups: sortBy(groups, (g) => g.group_id),
    members,
    images: sortBy(images, (i) => i.image_id),
    tokens: sortBy(tokens, (t) => t.token_id).map((t) => ({ ...t, last_used_at: null })),
  };
}
