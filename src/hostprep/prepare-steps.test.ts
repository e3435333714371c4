import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { classifyErrno } from './classify.js';
import { componentsBelow } from './prepare-steps.js';

describe('componentsBelow', () => {
  it('splits the part below the fixed prefix', () => {
    assert.deepEqual(componentsBelow('/srv/share/alice/docs', '/srv/share'), ['alice', 'docs']);
    assert.deepEqual(componentsBelow('/srv/share', '/srv/share'), []);
  });
  it('refuses a prefix that is not an ancestor, and dot segments', () => {
    assert.throws(() => componentsBelow('/srv/other/alice', '/srv/share'), /not inside its fixed prefix/);
    assert.throws(() => componentsBelow('/srv/sharebob', '/srv/share'), /not inside its fixed prefix/);
    assert.throws(() => componentsBelow('/srv/share/../etc', '/srv/share'), /"\.\."/);
  });
});

describe('classifyErrno', () => {
  it('maps errno codes to failure classes', () => {
    assert.equal(classifyErrno('ENOENT'), 'missing');
    assert.equal(classifyErrno('EACCES'), 'permission');
    assert.equal(classifyErrno('EPERM'), 'permission');
    assert.equal(classifyErrno('EROFS'), 'permission');
    assert.equal(classifyErrno('ENOTDIR'), 'not_directory');
    assert.equal(classifyErrno('EIO'), 'io');
    assert.equal(classifyErrno(undefined), 'io');
  });
});
