import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { HEADER_NONCE, HEADER_SIGNATURE, HEADER_TIME, NonceLedger, SIGNATURE_WINDOW_MS, keyId, signAnswer, signRequest, verifyAnswer, verifyRequest, type KeyRing } from './signing.js';
import { parseKeyFile, keyFileText, newKeyText } from './keys.js';

const A = Buffer.from(newKeyText());
const B = Buffer.from(newKeyText());
const now = 1_800_000_000_000;

function check(ring: KeyRing, headers: Record<string, string>, over: Partial<{ method: string; path: string; body: string; at: number; ledger: NonceLedger }> = {}) {
  return verifyRequest(ring, over.ledger ?? new NonceLedger(), { method: over.method ?? 'POST', path: over.path ?? '/v1/hostprep/prepare', headers, body: over.body ?? '{"a":1}' }, over.at ?? now);
}

describe('request signatures', () => {
  const signed = signRequest(A, 'POST', '/v1/hostprep/prepare', '{"a":1}', now);

  it('accepts a request signed with the current key', () => {
    assert.deepEqual(check({ current: A }, signed), { ok: true, key: A });
  });

  it('accepts the previous key during a rotation, and names which key signed', () => {
    const r = check({ current: B, previous: A }, signed);
    assert.equal(r.ok, true);
    assert.equal(r.ok && r.key, A);
  });

  it('refuses a missing, unknown-key, tampered, stale or replayed request, each with its reason', () => {
    assert.equal((check({ current: A }, {}) as { reason: string }).reason, 'missing');
    assert.equal((check({ current: B }, signed) as { reason: string }).reason, 'unknown-key');
    assert.equal((check({ current: A }, signed, { body: '{"a":2}' }) as { reason: string }).reason, 'bad-signature');
    assert.equal((check({ current: A }, signed, { path: '/v1/hostprep/verify' }) as { reason: string }).reason, 'bad-signature');
    assert.equal((check({ current: A }, signed, { method: 'GET' }) as { reason: string }).reason, 'bad-signature');
    assert.equal((check({ current: A }, { ...signed, [HEADER_TIME]: String(now + 1) }) as { reason: string }).reason, 'bad-signature');
    assert.equal((check({ current: A }, signed, { at: now + SIGNATURE_WINDOW_MS + 1 }) as { reason: string }).reason, 'stale');
    assert.equal((check({ current: A }, signed, { at: now - SIGNATURE_WINDOW_MS - 1 }) as { reason: string }).reason, 'stale');
    assert.equal((check({ current: A }, { ...signed, [HEADER_SIGNATURE]: 'x' }) as { reason: string }).reason, 'malformed');
    const ledger = new NonceLedger();
    assert.equal(check({ current: A }, signed, { ledger }).ok, true);
    assert.equal((check({ current: A }, signed, { ledger }) as { reason: string }).reason, 'replayed');
  });

  it('a signature made with another key under the right key id is refused (no key id trust)', () => {
    const forged = signRequest(B, 'POST', '/v1/hostprep/prepare', '{"a":1}', now);
    assert.equal((check({ current: A }, { ...forged, 'x-tether-agent-key': keyId(A) }) as { reason: string }).reason, 'bad-signature');
  });

  it('a refused request does not use up its nonce', () => {
    const ledger = new NonceLedger();
    check({ current: A }, signed, { ledger, body: 'tampered' });
    assert.equal(check({ current: A }, signed, { ledger }).ok, true);
  });
});

describe('answer signatures', () => {
  const nonce = signRequest(A, 'GET', '/v1/ping', undefined, now)[HEADER_NONCE];

  it('binds the answer to the request nonce, status and body', () => {
    const h = signAnswer(A, 200, nonce, '{"ok":true}', now);
    assert.equal(verifyAnswer(A, nonce, 200, h, '{"ok":true}').ok, true);
    assert.equal((verifyAnswer(A, nonce, 200, h, '{"ok":false}') as { reason: string }).reason, 'bad-signature');
    assert.equal((verifyAnswer(A, nonce, 403, h, '{"ok":true}') as { reason: string }).reason, 'bad-signature');
    assert.equal((verifyAnswer(A, 'f'.repeat(32), 200, h, '{"ok":true}') as { reason: string }).reason, 'replayed');
    assert.equal((verifyAnswer(B, nonce, 200, h, '{"ok":true}') as { reason: string }).reason, 'unknown-key');
    assert.equal((verifyAnswer(A, nonce, 200, {}, '{"ok":true}') as { reason: string }).reason, 'missing');
  });
});

describe('key files', () => {
  it('round-trips current and previous', () => {
    const ring = parseKeyFile(keyFileText({ current: A, previous: B }), 'f');
    assert.deepEqual(ring, { current: A, previous: B });
  });

  it('refuses an empty file, a short key and a third key, saying where', () => {
    assert.throws(() => parseKeyFile('\n\n', 'k'), /k: no key in the file/);
    assert.throws(() => parseKeyFile('short\n', 'k'), /k: key on line 1 has 5 characters \(expected at least 32\)/);
    assert.throws(() => parseKeyFile(`${A}\n${B}\n${A}\n`, 'k'), /k: 3 keys in the file/);
  });
});
