import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseClientControl, terminalPath } from './protocol.js';

describe('terminal protocol', () => {
  it('parses resize and eof, and nothing else', () => {
    assert.deepEqual(parseClientControl('{"type":"resize","cols":80,"rows":24}'), { type: 'resize', cols: 80, rows: 24 });
    assert.deepEqual(parseClientControl('{"type":"eof"}'), { type: 'eof' });
    for (const bad of ['', 'x', 'null', '[]', '{"type":"resize","cols":0,"rows":24}', '{"type":"resize","cols":80.5,"rows":24}', '{"type":"resize","cols":"80","rows":24}', '{"type":"resize","cols":5000,"rows":24}', '{"type":"exec","cmd":"rm"}']) {
      assert.equal(parseClientControl(bad), null, bad);
    }
  });
  it('encodes the session id in the path', () => {
    assert.equal(terminalPath('a/b'), '/api/v1/sessions/a%2Fb/terminal');
  });
});
