import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { terminalUrl } from './session-shell.js';

describe('terminalUrl', () => {
  it('keeps a path prefix of the server URL (a Tether behind a proxy at /tether)', () => {
    assert.equal(terminalUrl('https://h.example/tether', 's1', false), 'wss://h.example/tether/api/v1/sessions/s1/terminal?tty=0');
    assert.equal(terminalUrl('https://h.example/tether/', 's1', false), 'wss://h.example/tether/api/v1/sessions/s1/terminal?tty=0');
  });

  it('uses ws: for http:, encodes the id, and sends the size with a TTY only', () => {
    assert.equal(terminalUrl('http://127.0.0.1:8080', 'a b', true, { cols: 80, rows: 24 }), 'ws://127.0.0.1:8080/api/v1/sessions/a%20b/terminal?tty=1&cols=80&rows=24');
    assert.equal(terminalUrl('http://127.0.0.1:8080', 'x', false, { cols: 80, rows: 24 }), 'ws://127.0.0.1:8080/api/v1/sessions/x/terminal?tty=0');
    assert.equal(terminalUrl('http://127.0.0.1:8080', 'x', true, {}), 'ws://127.0.0.1:8080/api/v1/sessions/x/terminal?tty=1');
  });
});
