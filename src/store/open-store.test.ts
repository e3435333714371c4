// openStore's SQLite specifics (the contract suite in test/ covers the repos on both dialects).
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { defaultDatabaseUrl, isPostgresUrl, openStore } from './open-store.js';
import { auditLimit } from './repos/audit-repo.js';
import { isoTimestamp } from './values.js';

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'tether-open-store-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('defaultDatabaseUrl is tether.db in the data directory', () => {
  assert.equal(defaultDatabaseUrl('/var/lib/tether'), '/var/lib/tether/tether.db');
});

test('only postgres:// and postgresql:// URLs select PostgreSQL', () => {
  assert.equal(isPostgresUrl('postgres://u@h/db'), true);
  assert.equal(isPostgresUrl('postgresql://u@h:5432/db'), true);
  assert.equal(isPostgresUrl('./postgres://not-a-url'), false);
  assert.equal(isPostgresUrl('/data/tether.db'), false);
});

test('a SQLite store creates missing parent folders and uses WAL', async () => {
  await withTempDir(async (dir) => {
    const file = join(dir, 'a', 'b', 'tether.db');
    const store = await openStore(file);
    assert.equal(store.dialect, 'sqlite');
    await store.close();
    const raw = new Database(file, { readonly: true });
    try {
      assert.equal(raw.pragma('journal_mode', { simple: true }), 'wal');
      const names = raw.prepare("select name from sqlite_master where type = 'table' order by name").pluck().all();
      for (const t of ['audit', 'group_members', 'groups', 'images', 'sessions', 'tokens', 'users']) assert.ok(names.includes(t), `table ${t}`);
    } finally {
      raw.close();
    }
  });
});

test('a file that is not a SQLite database is refused with its path in the message', async () => {
  await withTempDir(async (dir) => {
    const file = join(dir, 'not-a-db');
    await writeFile(file, 'this is not sqlite, '.repeat(100));
    await assert.rejects(openStore(file), (err: Error) => err.message.includes(file) && /cannot open SQLite database/.test(err.message));
  });
});

test('an aborted signal stops openStore', async () => {
  await withTempDir(async (dir) => {
    await assert.rejects(openStore(join(dir, 't.db'), { signal: AbortSignal.abort() }), /aborted/);
  });
});

test('timestamps are normalized to toISOString form; garbage is refused with the field name', () => {
  assert.equal(isoTimestamp('2026-01-02T03:04:05Z', 'x'), '2026-01-02T03:04:05.000Z');
  assert.equal(isoTimestamp('2026-01-02T04:04:05.5+01:00', 'x'), '2026-01-02T03:04:05.500Z');
  assert.throws(() => isoTimestamp('not a date', 'token.expires_at'), /token\.expires_at must be an ISO-8601 timestamp, got "not a date"/);
});

test('audit limit defaults to 100 and is clamped to 1..1000', () => {
  assert.deepEqual([auditLimit(undefined), auditLimit(NaN), auditLimit(0), auditLimit(7.9), auditLimit(5000)], [100, 100, 1, 7, 1000]);
});

test('an abort while migrating stops openStore without an unhandled rejection', async () => {
  await withTempDir(async (dir) => {
    const ac = new AbortController();
    const opening = openStore(join(dir, 't.db'), { signal: ac.signal });
    ac.abort();
    await assert.rejects(opening, /aborted/);
    await new Promise((r) => setTimeout(r, 50)); // let the abandoned migration settle
  });
});
