// Several processes on one SQLite file (a server plus `tether admin ...`): concurrent first
// opens (migrations) and read-then-write transactions must all succeed, none with SQLITE_BUSY.
// Real child processes, because one process shares a single connection and cannot race itself.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { openStore } from '../open-store.js';

const run = promisify(execFile);
const openStoreModule = pathToFileURL(fileURLToPath(new URL('../open-store.ts', import.meta.url))).href;
const PROCESSES = 3;
const USERS_EACH = 15;

// Each worker opens the store, then per user: a transaction that reads, then writes.
const worker = `
const { openStore } = await import(${JSON.stringify(openStoreModule)});
const { randomUUID } = await import('node:crypto');
const store = await openStore(process.argv[1]);
const now = new Date().toISOString();
for (let i = 0; i < ${USERS_EACH}; i++) {
  await store.transaction(async (tx) => {
    await tx.users.list();
    await tx.users.create({ user_id: randomUUID(), username: 'u-' + randomUUID(), password_hash: 'h', disabled: false, created_at: now, updated_at: now });
  });
}
await store.close();
`;

test('concurrent processes migrate and write one SQLite file without SQLITE_BUSY', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tether-sqlite-procs-'));
  try {
    const file = join(dir, 'tether.db');
    const signal = AbortSignal.timeout(60_000);
    const workers = Array.from({ length: PROCESSES }, () =>
      run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', worker, file], { signal }),
    );
    const results = await Promise.allSettled(workers);
    const failures = results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason));
    assert.deepEqual(failures, []);
    const store = await openStore(file);
    try {
      assert.equal((await store.users.list()).length, PROCESSES * USERS_EACH);
    } finally {
      await store.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a store transaction holds the write lock from its start, even while it only reads', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tether-sqlite-immediate-'));
  const file = join(dir, 'tether.db');
  const store = await openStore(file);
  // Another connection, as another process would have, that does not wait for locks.
  const other = new Database(file, { timeout: 0 });
  try {
    await store.transaction(async (tx) => {
      await tx.users.list();
      // BEGIN IMMEDIATE took the write lock up front: a deferred BEGIN would let this through,
      // and the transaction's own first write would then fail with SQLITE_BUSY.
      assert.throws(() => other.exec('begin immediate'), { code: 'SQLITE_BUSY' });
    });
    other.exec('begin immediate');
    other.exec('rollback');
  } finally {
    other.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
});
