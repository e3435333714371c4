import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { errorBodyOf } from './http-client.js';

describe('errorBodyOf', () => {
  it('keeps the server\'s JSON error body', () => {
    const body = { message: 'image not found', detail: 'no image "x"' };
    assert.deepEqual(errorBodyOf(404, 'Not Found', JSON.stringify(body)), body);
  });

  it('names the status when the body is empty, not JSON, or JSON without a message', () => {
    assert.deepEqual(errorBodyOf(502, 'Bad Gateway', '<html>proxy</html>'), { message: 'HTTP 502 Bad Gateway' });
    assert.deepEqual(errorBodyOf(500, '', ''), { message: 'HTTP 500' });
    assert.deepEqual(errorBodyOf(400, 'Bad Request', '{"error":"x"}'), { message: 'HTTP 400 Bad Request' });
  });
});
