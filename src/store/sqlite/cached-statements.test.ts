// The database handed to Kysely's SQLite driver: one compile per SQL text while cached, least
// recently used evicted first, results identical to preparing afresh, and close() closing the
// real database. Real better-sqlite3 in memory.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { withCachedStatements } from './cached-statements.js';

function withDb(fn: (db: Database.Database) => void): void {
  const db = new Database(':memory:');
  try {
    db.exec('create table t (k text primary key, v integer)');
    fn(db);
  } finally {
    if (db.open) db.close();
  }
}

test('the same SQL text gets the same prepared statement back', () => {
  withDb((db) => {
    const cached = withCachedStatements(db, 3);
    const a = cached.prepare('select v from t where k = ?');
    assert.equal(cached.prepare('select v from t where k = ?'), a);
    assert.notEqual(cached.prepare('select k from t'), a);
  });
});

test('beyond capacity the least recently used statement is dropped', () => {
  withDb((db) => {
    const cached = withCachedStatements(db, 2);
    const one = cached.prepare('select 1');
    const two = cached.prepare('select 2');
    assert.equal(cached.prepare('select 1'), one); // now "select 2" is the least recently used
    cached.prepare('select 3');
    assert.equal(cached.prepare('select 1'), one);
    assert.notEqual(cached.prepare('select 2'), two, 'select 2 was evicted and prepared again');
  });
});

test('a cached statement sees writes and schema changes made after it was prepared', () => {
  withDb((db) => {
    const cached = withCachedStatements(db);
    const read = () => cached.prepare('select k, v from t order by k').all([]);
    assert.deepEqual(read(), []);
    cached.prepare('insert into t (k, v) values (?, ?)').run(['a', 1]);
    cached.prepare('insert into t (k, v) values (?, ?)').run(['b', 2]);
    assert.deepEqual(read(), [{ k: 'a', v: 1 }, { k: 'b', v: 2 }]);
    db.exec('create index t_v on t (v)'); // SQLite re-prepares the cached statement itself
    assert.deepEqual(read(), [{ k: 'a', v: 1 }, { k: 'b', v: 2 }]);
  });
});

test('close() closes the database', () => {
  withDb((db) => {
    withCachedStatements(db).close();
    assert.equal(db.open, false);
  });
});
