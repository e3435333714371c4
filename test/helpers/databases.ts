// Fresh, isolated databases for tests: a temp SQLite file, or a PostgreSQL database of its
// own (CREATE DATABASE tether_test_<random>, dropped WITH (FORCE) on cleanup), so parallel
// runs and Tether instances under test never see each other's data.
// TETHER_TEST_STORES=sqlite,postgres picks the kinds (default both). PostgreSQL being down
// FAILS the tests that need it (CI starts it); nothing is skipped silently.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import pg from 'pg';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/types.js';

export type StoreKind = 'sqlite' | 'postgres';

const ALL_KINDS: StoreKind[] = ['sqlite', 'postgres'];

function kindsFromEnv(): StoreKind[] {
  const raw = process.env.TETHER_TEST_STORES;
  if (raw === undefined || raw.trim() === '') return ALL_KINDS;
  const kinds = raw.split(',').map((k) => k.trim()).filter(Boolean);
  for (const k of kinds) {
    if (!ALL_KINDS.includes(k as StoreKind)) {
      throw new Error(`TETHER_TEST_STORES: unknown store kind ${JSON.stringify(k)}; expected a comma-separated subset of ${ALL_KINDS.join(',')}`);
    }
  }
  return kinds as StoreKind[];
}

/** The store kinds to test, from TETHER_TEST_STORES (default: sqlite,postgres). */
export const storeKinds: StoreKind[] = kindsFromEnv();

/** Server-level connection used to create and drop test databases. */
export const POSTGRES_ADMIN_URL = process.env.TETHER_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface FreshDatabase {
  /** what openStore / `tether server --database` takes */
  url: string;
  /** removes the file or drops the database; safe to call twice */
  cleanup(): Promise<void>;
}

export interface FreshStore extends FreshDatabase {
  store: Store;
}

async function withAdminClient<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (err) {
    throw new Error(`test databases: cannot connect to PostgreSQL at ${POSTGRES_ADMIN_URL} (is it running? CI starts it): ${(err as Error).message}`, { cause: err });
  }
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function freshPostgres(): Promise<FreshDatabase> {
  const name = `tether_test_${randomBytes(8).toString('hex')}`;
  await withAdminClient((c) => c.query(`CREATE DATABASE "${name}"`));
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  let dropped = false;
  return {
    url: url.toString(),
    async cleanup() {
      if (dropped) return;
      dropped = true;
      await withAdminClient((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}

async function freshSqlite(): Promise<FreshDatabase> {
  const dir = await mkdtemp(join(tmpdir(), 'tether-store-'));
  return {
    url: join(dir, 'tether.db'),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/** An empty database of the given kind, not yet opened (for a Tether instance to open). */
export function freshDatabaseUrl(kind: StoreKind): Promise<FreshDatabase> {
  return kind === 'postgres' ? freshPostgres() : freshSqlite();
}

/** A migrated, open store on an empty database; cleanup closes it and removes the database. */
export async function freshStore(kind: StoreKind): Promise<FreshStore> {
  const db = await freshDatabaseUrl(kind);
  let store: Store;
  try {
    store = await openStore(db.url);
  } catch (err) {
    await db.cleanup();
    throw err;
  }
  let closed = false;
  return {
    store,
    url: db.url,
    async cleanup() {
      if (!closed) {
        closed = true;
        await store.close();
      }
      await db.cleanup();
    },
  };
}

/** Runs fn once per kind in storeKinds with a fresh store, cleaning up even when fn throws. */
export async function withEachStore(fn: (store: Store, kind: StoreKind) => Promise<void>): Promise<void> {
  for (const kind of storeKinds) {
    const fresh = await freshStore(kind);
    try {
      await fn(fresh.store, kind);
    } finally {
      await fresh.cleanup();
    }
  }
}

/**
 * Inside a describe: a fresh store of this kind for the whole suite, opened before its first
 * test and removed after its last. Read `store` and `url` inside tests (set once opened).
 */
export function storeForSuite(kind: StoreKind): { readonly store: Store; readonly url: string } {
  let fresh: FreshStore | undefined;
  before(async () => {
    fresh = await freshStore(kind);
  });
  after(async () => fresh?.cleanup());
  const opened = (): FreshStore => {
    if (!fresh) throw new Error('storeForSuite: the store is opened in before(); read it inside a test');
    return fresh;
  };
  return {
    get store() {
      return opened().store;
    },
    get url() {
      return opened().url;
    },
  };
}
