import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatMappingError, parseMappingDocument, type MappingError, type ParseResult } from './index.js';

function errorsOf(result: ParseResult): MappingError[] {
  assert.equal(result.ok, false, 'expected the document to be rejected');
  return result.ok ? [] : result.errors;
}
function lines(input: string | unknown): string[] {
  return errorsOf(parseMappingDocument(input)).map(formatMappingError);
}
function accept(input: string | unknown) {
  const result = parseMappingDocument(input);
  assert.ok(result.ok, `expected valid, got ${JSON.stringify(result)}`);
  return result.document;
}
const ok = (bind: string, extra: object = {}) => ({ bind, mode: 'rw', required: true, timeout: 10, skip_check: false, ...extra });

describe('Kasm documentation examples', () => {
  it('one share: exactly as Kasm documents it', () => {
    const doc = accept('{ "/var/kasm_user_share": { "bind": "/share", "mode": "rw", "uid": 1000, "gid": 1000, "required": true } }');
    assert.deepEqual(doc, { '/var/kasm_user_share': { bind: '/share', mode: 'rw', uid: 1000, gid: 1000, required: true, timeout: 10, skip_check: false } });
    assert.deepEqual(Object.keys(doc['/var/kasm_user_share']!), ['bind', 'mode', 'uid', 'gid', 'required', 'timeout', 'skip_check']);
  });
  it('two shares', () => {
    const doc = accept(`{
      "/var/kasm_user_share1": { "bind": "/share1", "mode": "rw", "uid": 1000, "gid": 1000, "required": true },
      "/var/kasm_user_share2": { "bind": "/share2", "mode": "rw", "uid": 1000, "gid": 1000, "required": true }
    }`);
    assert.deepEqual(doc, {
      '/var/kasm_user_share1': ok('/share1', { uid: 1000, gid: 1000 }),
      '/var/kasm_user_share2': ok('/share2', { uid: 1000, gid: 1000 }),
    });
  });
});

describe('defaults and normalization', () => {
  it('fills mode, required, timeout, skip_check; uid/gid only when given', () => {
    const doc = accept('{"/srv/a": {"bind": "/a"}}');
    assert.deepEqual(doc, { '/srv/a': ok('/a') });
    assert.equal('uid' in doc['/srv/a']!, false);
    assert.equal('gid' in doc['/srv/a']!, false);
  });
  it('keeps explicit values', () => {
    const doc = accept({ '/srv/a': { bind: '/a', mode: 'ro', uid: 0, gid: 2147483647, required: false, timeout: 600, skip_check: true } });
    assert.deepEqual(doc['/srv/a'], { bind: '/a', mode: 'ro', uid: 0, gid: 2147483647, required: false, timeout: 600, skip_check: true });
  });
  it('accepts a fractional timeout and an empty document', () => {
    assert.equal(accept('{"/srv/a": {"bind": "/a", "timeout": 0.5}}')['/srv/a']!.timeout, 0.5);
    assert.deepEqual(accept('{}'), {});
  });
  it('removes trailing slashes and collapses repeated ones in keys and binds', () => {
    assert.deepEqual(accept('{"//srv///data//x/": {"bind": "//home//u/"}}'), { '/srv/data/x': ok('/home/u') });
  });
  it('normalizes an already-normalized document to itself (idempotent)', () => {
    const doc = accept('{"/srv/x/": {"bind": "/y//", "uid": 5}}');
    assert.deepEqual(accept(JSON.stringify(doc)), doc);
    assert.deepEqual(accept(doc), doc);
  });
  it('accepts known tokens in host paths and binds', () => {
    const doc = accept('{"/mnt/profiles/{username}/{image_id}": {"bind": "/home/{user_id}"}}');
    assert.deepEqual(Object.keys(doc), ['/mnt/profiles/{username}/{image_id}']);
  });
});

describe('rejections, each with its location', () => {
  it('not JSON, not an object', () => {
    assert.match(lines('{"/a": ')[0]!, /^\(document\): not valid JSON: .*line 1, column 8/);
    assert.match(lines('')[0]!, /^\(document\): not valid JSON: the input is empty/);
    assert.match(lines('[]')[0]!, /^\(document\): got an array; expected a JSON object/);
    assert.match(lines('"x"')[0]!, /^\(document\): got the string "x"/);
    assert.match(lines(null)[0]!, /^\(document\): got null/);
    assert.match(lines('{"a":1} x')[0]!, /after the end of the JSON value/);
    assert.match(lines('{"a":01}')[0]!, /not valid JSON/);
    assert.match(lines("{'a':1}")[0]!, /expected a double-quoted key/);
  });
  it('a value that is not an object', () => {
    assert.deepEqual(lines('{"/srv/a": "/a"}'), ['"/srv/a": got the string "/a"; expected an object such as {"bind": "/share", "mode": "rw"}']);
    assert.match(lines('{"/srv/a": [1]}')[0]!, /^"\/srv\/a": got an array/);
  });
  it('duplicate keys in the text, top level and nested', () => {
    const out = lines('{"/srv/a": {"bind": "/a"},\n "/srv/a": {"bind": "/b", "mode": "ro", "mode": "rw"}}');
    assert.equal(out.length, 2);
    assert.match(out[0]!, /^"\/srv\/a": the key "\/srv\/a" appears more than once .*lines 1 and 2/);
    assert.match(out[1]!, /^"\/srv\/a"\.mode: the key "mode" appears more than once/);
  });
  it('the value of a host path written twice is validated too', () => {
    const out = lines('{"/srv/a": {"bind": "/a", "uid": "1000"},\n "/srv/a": {"bind": "/a", "mode": "x"}}');
    assert.deepEqual(out.map((l) => l.slice(0, l.indexOf(':'))), ['"/srv/a"', '"/srv/a".uid', '"/srv/a".mode']);
  });
  it('duplicates are compared after unescaping', () => {
    assert.match(lines('{"/srv/a": {"bind": "/a", "\\u0062ind": "/b"}}')[0]!, /^"\/srv\/a"\.bind: the key "bind" appears more than once/);
  });
  it('duplicates deeper inside a value are found too', () => {
    assert.match(lines('{"/srv/a": {"bind": "/a", "extra": {"x": 1, "x": 2}}}')[0]!, /^"\/srv\/a"\.extra\.x: the key "x" appears more than once/);
  });
  it('two keys that normalize to the same host path', () => {
    assert.match(lines('{"/srv/a": {"bind": "/a"}, "/srv//a/": {"bind": "/b"}}')[0]!, /^"\/srv\/\/a\/": normalizes to "\/srv\/a", the same host path as "\/srv\/a"/);
  });
  it('unknown key: names it, lists the allowed keys, suggests the closest', () => {
    const [line] = lines('{"/srv/a": {"bind": "/a", "requierd": true}}');
    assert.equal(line, '"/srv/a".requierd: unknown key "requierd"; allowed keys: bind, mode, uid, gid, required, timeout, skip_check. did you mean "required"?');
    assert.match(lines('{"/srv/a": {"bind": "/a", "skipcheck": true}}')[0]!, /did you mean "skip_check"\?/);
    assert.match(lines('{"/srv/a": {"bind": "/a", "Mode": "rw"}}')[0]!, /did you mean "mode"\?/);
    assert.doesNotMatch(lines('{"/srv/a": {"bind": "/a", "compression": true}}')[0]!, /did you mean/);
  });
  it('bind missing or not a string', () => {
    assert.match(lines('{"/srv/a": {}}')[0]!, /^"\/srv\/a"\.bind: missing; expected the absolute path inside the container/);
    assert.match(lines('{"/srv/a": {"bind": 5}}')[0]!, /^"\/srv\/a"\.bind: got number 5; expected a string/);
  });
  it('mode other than rw/ro', () => {
    for (const mode of ['"RW"', '"r"', '"readonly"', 'true', 'null']) {
      assert.match(lines(`{"/srv/a": {"bind": "/a", "mode": ${mode}}}`)[0]!, /^"\/srv\/a"\.mode: got .*; expected "rw" \(read-write\) or "ro"/);
    }
  });
  it('uid/gid: wrong type, not an integer, out of range', () => {
    for (const v of ['"1000"', '1000.5', '-1', '2147483648', 'true', 'null', '[1000]', '1e20']) {
      for (const field of ['uid', 'gid']) {
        assert.match(lines(`{"/var/kasm_user_share": {"bind": "/a", "${field}": ${v}}}`)[0]!, new RegExp(`^"/var/kasm_user_share"\\.${field}: got .*; expected an integer from 0 to 2147483647`));
      }
    }
  });
  it('required/skip_check must be true booleans', () => {
    for (const v of ['"yes"', '"true"', '1', '0', 'null']) {
      assert.match(lines(`{"/srv/a": {"bind": "/a", "required": ${v}}}`)[0]!, /^"\/srv\/a"\.required: got .*; expected true or false/);
      assert.match(lines(`{"/srv/a": {"bind": "/a", "skip_check": ${v}}}`)[0]!, /^"\/srv\/a"\.skip_check: got .*; expected true or false/);
    }
  });
  it('timeout: a number with 0 < t <= 600', () => {
    for (const v of ['0', '-1', '600.001', '601', '"10"', 'true', '1e400', 'null']) {
      assert.match(lines(`{"/srv/a": {"bind": "/a", "timeout": ${v}}}`)[0]!, /^"\/srv\/a"\.timeout: got .*; expected a number of seconds greater than 0 and at most 600/);
    }
  });
  it('host path and bind: absolute, no . or .. segments, no NUL or control characters, bind not /', () => {
    const cases: Array<[string, RegExp]> = [
      ['{"srv/a": {"bind": "/a"}}', /^"srv\/a": host path "srv\/a" is not absolute/],
      ['{"": {"bind": "/a"}}', /^"": host path is empty/],
      ['{"/srv/../etc": {"bind": "/a"}}', /^"\/srv\/\.\.\/etc": host path .* contains a "\.\." segment/],
      ['{"/srv/./a": {"bind": "/a"}}', /contains a "\." segment/],
      ['{"/srv/a\\u0000b": {"bind": "/a"}}', /contains a NUL character/],
      ['{"/srv/a\\nb": {"bind": "/a"}}', /control or invisible character U\+000A/],
      ['{"/srv/a\\u202eb": {"bind": "/a"}}', /control or invisible character U\+202E/],
      ['{"/srv/a\\ud800b": {"bind": "/a"}}', /control or invisible character U\+D800/],
      ['{"/srv/a": {"bind": "a"}}', /^"\/srv\/a"\.bind: bind "a" is not absolute/],
      ['{"/srv/a": {"bind": "/x/.."}}', /^"\/srv\/a"\.bind: bind .* contains a "\.\." segment/],
      ['{"/srv/a": {"bind": "/"}}', /^"\/srv\/a"\.bind: bind cannot be "\/"/],
      ['{"/srv/a": {"bind": "///"}}', /^"\/srv\/a"\.bind: bind cannot be "\/"/],
      ['{"/srv/a": {"bind": "/a\\u0000"}}', /^"\/srv\/a"\.bind: bind contains a NUL/],
    ];
    for (const [text, pattern] of cases) assert.match(lines(text)[0]!, pattern, text);
  });
  it('the same bind twice in one document (compared normalized, templates as written)', () => {
    assert.match(lines('{"/srv/a": {"bind": "/share"}, "/srv/b": {"bind": "/share/"}}')[0]!, /^"\/srv\/b"\.bind: "\/share" is already the bind of "\/srv\/a"/);
    assert.match(lines('{"/srv/{username}": {"bind": "/h/{username}"}, "/srv/b/{username}": {"bind": "/h//{username}"}}')[0]!, /already the bind of/);
    accept('{"/srv/a": {"bind": "/h/{username}"}, "/srv/b": {"bind": "/h/{user_id}"}}');
  });
  it('unknown tokens and stray braces, in host paths and binds', () => {
    assert.equal(lines('{"/mnt/{usrname}": {"bind": "/a"}}')[0], '"/mnt/{usrname}": unknown token {usrname}; expected one of {username}, {user_id}, {image_id}; did you mean "{username}"?');
    assert.match(lines('{"/mnt/a": {"bind": "/h/{userid}"}}')[0]!, /^"\/mnt\/a"\.bind: unknown token \{userid\}.*did you mean "\{user_id\}"\?/);
    assert.doesNotMatch(lines('{"/mnt/{home}": {"bind": "/a"}}')[0]!, /did you mean/);
    assert.match(lines('{"/mnt/{username": {"bind": "/a"}}')[0]!, /unmatched "\{" or "\}"/);
    assert.match(lines('{"/mnt/a": {"bind": "/a}"}}')[0]!, /unmatched/);
  });
  it('reports every error, not just the first', () => {
    const out = lines('{"rel": {"bind": "/", "uid": "1000", "mode": "x", "extra": 1}, "/srv/b": 3, "/srv/c": {"timeout": 0}}');
    assert.deepEqual(out.map((l) => l.slice(0, l.indexOf(':', l.indexOf('"', 1)))), [
      '"rel"', '"rel".extra', '"rel".bind', '"rel".mode', '"rel".uid', '"/srv/b"', '"/srv/c".bind', '"/srv/c".timeout',
    ]);
  });
  it('does not let __proto__ or constructor keys through', () => {
    assert.match(lines('{"/srv/a": {"bind": "/a", "__proto__": {"x": 1}}}')[0]!, /unknown key "__proto__"/);
    assert.match(lines('{"__proto__": {"bind": "/a"}}')[0]!, /not absolute/);
  });
  it('tolerates a byte-order mark and rejects raw control characters in strings', () => {
    accept('\uFEFF{"/srv/a": {"bind": "/a"}}');
    assert.match(lines('{"/srv/a\tb": {"bind": "/a"}}')[0]!, /raw control character U\+0009/);
  });
  it('rejects absurd nesting instead of overflowing the stack', () => {
    assert.match(lines(`{"/srv/a": ${'['.repeat(10000)}${']'.repeat(10000)}}`)[0]!, /nesting deeper than 64 levels/);
  });
});
