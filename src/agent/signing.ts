// The join key: server and agent prove to each other, on every request and every answer, that
// they hold the same secret. A request carries an HMAC-SHA256 over its method, path, time, a
// random nonce and its body's digest; the agent refuses it when the signature is missing or
// wrong, the time is outside the window, or the nonce was seen (a replay). The answer carries
// an HMAC over its status, its body's digest and the request's nonce, so an answer can neither
// be forged nor replayed for another request. Keys: the current one, and during a rotation the
// previous one, named on the wire by a short fingerprint (never the key).
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const HEADER_KEY = 'x-tether-agent-key';
export const HEADER_TIME = 'x-tether-agent-time';
export const HEADER_NONCE = 'x-tether-agent-nonce';
export const HEADER_SIGNATURE = 'x-tether-agent-signature';

/** a request older or newer than this (ms) is refused as stale: clocks of the nodes must agree this well */
export const SIGNATURE_WINDOW_MS = 60_000;
/** a key is at least this many characters (32 random bytes in base64url are 43) */
export const MIN_KEY_LENGTH = 32;

export interface KeyRing {
  current: Buffer;
  /** accepted too during a rotation */
  previous?: Buffer;
}

export type SignedHeaders = Record<typeof HEADER_KEY | typeof HEADER_TIME | typeof HEADER_NONCE | typeof HEADER_SIGNATURE, string>;

export type RefusalReason = 'missing' | 'malformed' | 'stale' | 'unknown-key' | 'bad-signature' | 'replayed';

export type Verdict = { ok: true; key: Buffer } | { ok: false; reason: RefusalReason; message: string };

/** A short public name of a key: which of its keys the other side must use. */
export function keyId(key: Buffer): string {
  return createHash('sha256').update('tether-agent-key-id\n').update(key).digest('hex').slice(0, 16);
}

export function bodyDigest(body: string | Buffer | undefined): string {
  return createHash('sha256').update(body ?? '').digest('hex');
}

function requestText(method: string, path: string, time: string, nonce: string, digest: string): string {
  return ['tether-agent-request-v1', method.toUpperCase(), path, time, nonce, digest].join('\n');
}

function answerText(status: number, requestNonce: string, time: string, digest: string): string {
  return ['tether-agent-answer-v1', String(status), requestNonce, time, digest].join('\n');
}

function mac(key: Buffer, text: string): Buffer {
  return createHmac('sha256', key).update(text).digest();
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** constant time: the comparison takes as long whatever the first differing byte */
function sameMac(expected: Buffer, given: string): boolean {
  const g = Buffer.from(given, 'base64url');
  return g.length === expected.length && timingSafeEqual(g, expected);
}

function keyFor(ring: KeyRing, id: string): Buffer | undefined {
  if (keyId(ring.current) === id) return ring.current;
  if (ring.previous && keyId(ring.previous) === id) return ring.previous;
  return undefined;
}

/** `path` is the request target as sent: path and query. */
export function signRequest(key: Buffer, method: string, path: string, body?: string | Buffer, now = Date.now()): SignedHeaders {
  const time = String(now);
  const nonce = randomBytes(16).toString('hex');
  return {
    [HEADER_KEY]: keyId(key),
    [HEADER_TIME]: time,
    [HEADER_NONCE]: nonce,
    [HEADER_SIGNATURE]: mac(key, requestText(method, path, time, nonce, bodyDigest(body))).toString('base64url'),
  };
}

/** Remembers the nonces of accepted requests for as long as their time is within the window. */
export class NonceLedger {
  private readonly seen = new Map<string, number>();
  constructor(private readonly windowMs = SIGNATURE_WINDOW_MS) {}

  /** false when the nonce was already used */
  claim(nonce: string, now: number): boolean {
    if (this.seen.size > 1000) for (const [n, until] of this.seen) if (until < now) this.seen.delete(n);
    const until = this.seen.get(nonce);
    if (until !== undefined && until >= now) return false;
    // a request is accepted up to windowMs after its time, which may itself be windowMs ahead
    this.seen.set(nonce, now + 2 * this.windowMs);
    return true;
  }

  get size(): number {
    return this.seen.size;
  }
}

/** The agent's check of a request; claims the nonce only when everything else holds. */
export function verifyRequest(
  ring: KeyRing,
  ledger: NonceLedger,
  req: { method: string; path: string; headers: Record<string, string | string[] | undefined>; body?: string | Buffer },
  now = Date.now(),
): Verdict {
  const id = header(req.headers, HEADER_KEY);
  const time = header(req.headers, HEADER_TIME);
  const nonce = header(req.headers, HEADER_NONCE);
  const signature = header(req.headers, HEADER_SIGNATURE);
  if (!id || !time || !nonce || !signature) return { ok: false, reason: 'missing', message: `the request is not signed (expected the ${HEADER_KEY}, ${HEADER_TIME}, ${HEADER_NONCE} and ${HEADER_SIGNATURE} headers)` };
  if (!/^\d{1,15}$/.test(time) || !/^[0-9a-f]{32}$/.test(nonce) || !/^[A-Za-z0-9_-]{43}$/.test(signature)) {
    return { ok: false, reason: 'malformed', message: 'the signature headers are malformed (expected a time in ms, a 32-hex nonce and a base64url HMAC-SHA256)' };
  }
  const skew = Math.abs(now - Number(time));
  if (skew > SIGNATURE_WINDOW_MS) return { ok: false, reason: 'stale', message: `the request's time is ${Math.round(skew / 1000)} s away from the agent's clock (accepted: ${SIGNATURE_WINDOW_MS / 1000} s; are the clocks of the nodes synchronized?)` };
  const key = keyFor(ring, id);
  if (!key) return { ok: false, reason: 'unknown-key', message: `the request is signed with a key this agent does not hold (key id ${id}; the server's and the agent's keys differ: see "tether agent rotate-key")` };
  if (!sameMac(mac(key, requestText(req.method, req.path, time, nonce, bodyDigest(req.body))), signature)) {
    return { ok: false, reason: 'bad-signature', message: 'the request signature is wrong (forged, or changed on the way)' };
  }
  if (!ledger.claim(nonce, now)) return { ok: false, reason: 'replayed', message: 'the request was already received once (a replay)' };
  return { ok: true, key };
}

/** The agent signs its answer with the key the request was signed with. */
export function signAnswer(key: Buffer, status: number, requestNonce: string, body?: string | Buffer, now = Date.now()): SignedHeaders {
  const time = String(now);
  return {
    [HEADER_KEY]: keyId(key),
    [HEADER_TIME]: time,
    [HEADER_NONCE]: requestNonce,
    [HEADER_SIGNATURE]: mac(key, answerText(status, requestNonce, time, bodyDigest(body))).toString('base64url'),
  };
}

/** The server's check of an answer to its request (signed with `key`, nonce `requestNonce`). */
export function verifyAnswer(key: Buffer, requestNonce: string, status: number, headers: Record<string, string | string[] | undefined>, body?: string | Buffer): Verdict {
  const id = header(headers, HEADER_KEY);
  const time = header(headers, HEADER_TIME);
  const nonce = header(headers, HEADER_NONCE);
  const signature = header(headers, HEADER_SIGNATURE);
  if (!id || !time || !nonce || !signature) return { ok: false, reason: 'missing', message: 'the answer is not signed' };
  if (nonce !== requestNonce) return { ok: false, reason: 'replayed', message: 'the answer is signed for another request' };
  if (id !== keyId(key)) return { ok: false, reason: 'unknown-key', message: `the answer is signed with another key (key id ${id})` };
  if (!/^\d{1,15}$/.test(time) || !sameMac(mac(key, answerText(status, requestNonce, time, bodyDigest(body))), signature)) {
    return { ok: false, reason: 'bad-signature', message: 'the answer signature is wrong (forged, or changed on the way)' };
  }
  return { ok: true, key };
}
