// The prepared-statement cache: one compile per SQL text while cached, least recently used
// evicted first, and results identical to preparing afresh. Real better-sqlite3 in memory.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { StatementCache } from './statement-cache.js';

function withDb(fn: (db: Database.Database) => void): void {
  const db = new Database(':memory:');
  try {
    db.exec('create table t (k text primary key, v integer)');
    fn(db);
  } finally {
    db.close();
  }
}

test('the same SQL text gets the same prepared statement back', () => {
  withDb((db) => {
    const cache = new StatementCache(db, 3);
    const a = cache.prepare('select v from t where k = ?');
    assert.equal(cache.prepare('select v from t where k = ?'), a);
    assert.notEqual(cache.prepare('select k from t'), a);
    assert.equal(cache.size, 2);
  });
});

test('beyond capacity the least recently used statement is dropped', () => {
  withDb((db) => {
    const cache = new StatementCache(db, 2);
    const one = cache.prepare('select 1');
    const two = cache.prepare('select 2');
    assert.equal(cache.prepare('select 1'), one); // now "select 2" is the least recently used
    cache.prepare('select 3');
    assert.equal(cache.size, 2);
    assert.equal(cache.prepare('select 1'), one);
    assert.notEqual(cache.prepare('select 2'), two, 'select 2 was evicted and prepared again');
  });
});

test('a cached statement sees writes and schema changes made after it was prepared', () => {
  withDb((db) => {
    const cache = new StatementCache(db);
    const read = () => cache.prepare('select k, v from t order by k').all();
    assert.deepEqual(read(), []);
    cache.prepare('insert into t (k, v) values (?, ?)').run(['a', 1]);
    cache.prepare('insert into t (k, v) values (?, ?)').run(['b', 2]);
    assert.deepEqual(read(), [{ k: 'a', v: 1 }, { k: 'b', v: 2 }]);
    db.exec('create index t_v on t (v)'); // SQLite re-prepares the cached statement itself
    assert.deepEqual(read(), [{ k: 'a', v: 1 }, { k: 'b', v: 2 }]);
  });
});

test('a capacity that is not a positive integer is refused', () => {
  withDb((db) => {
    assert.throws(() => new StatementCache(db, 0), /positive integer, got 0/);
  });
});
