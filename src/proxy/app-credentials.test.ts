import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { APP_SECRET_TTL_MS, ENTRY_TOKEN_TTL_MS, createAppCredentials } from './app-credentials.js';
import { appOrigin, cookieValue, sessionOfHost, withoutTetherCookies } from './app-host.js';

const A = '11111111-2222-4333-8444-555555555555';
const B = '99999999-2222-4333-8444-555555555555';

describe('app credentials', () => {
  it('an entry token opens its session once, within 60 s, and gives a secret for that session only', () => {
    let t = 0;
    const c = createAppCredentials({ now: () => t });
    const { token, expiresInSeconds } = c.issueEntryToken(A, 'u1', 't1');
    assert.equal(expiresInSeconds, 60);
    const secret = c.redeem(token, A);
    assert.ok(secret);
    assert.equal(c.redeem(token, A), null, 'single use');
    assert.deepEqual(c.check(secret, A), { userId: 'u1', tokenId: 't1' });
    assert.equal(c.check(secret, B), null, 'not valid for another session');
    assert.equal(c.check('guess', A), null);
    t += APP_SECRET_TTL_MS;
    assert.equal(c.check(secret, A), null, 'expires');
  });
  it('refuses an expired token and burns a token presented to the wrong session', () => {
    let t = 0;
    const c = createAppCredentials({ now: () => t });
    const late = c.issueEntryToken(A, 'u1', 't1').token;
    t += ENTRY_TOKEN_TTL_MS;
    assert.equal(c.redeem(late, A), null);
    const wrong = c.issueEntryToken(A, 'u1', 't1').token;
    assert.equal(c.redeem(wrong, B), null);
    assert.equal(c.redeem(wrong, A), null);
  });
  it('a revocation drops the grants and entry tokens of its user, credential or session, and no others', () => {
    for (const r of [
      { kind: 'user', userId: 'u1', reason: 'user disabled' },
      { kind: 'token', tokenId: 't1', reason: 'signed out' },
      { kind: 'session', sessionId: A, reason: 'session stopping' },
    ] as const) {
      const c = createAppCredentials();
      const mine = c.redeem(c.issueEntryToken(A, 'u1', 't1').token, A) as string;
      const pending = c.issueEntryToken(A, 'u1', 't1').token;
      const other = c.redeem(c.issueEntryToken(B, 'u2', 't2').token, B) as string;
      c.revoke(r);
      assert.equal(c.check(mine, A), null, r.kind);
      assert.equal(c.redeem(pending, A), null, `${r.kind}: the entry token too`);
      assert.deepEqual(c.check(other, B), { userId: 'u2', tokenId: 't2' }, `${r.kind}: someone else's grant stays`);
    }
  });
});

describe('app hosts', () => {
  it('recognizes s-<uuid>.<host> only', () => {
    assert.equal(sessionOfHost(`s-${A}.localhost:8080`), A);
    assert.equal(sessionOfHost(`S-${A.toUpperCase()}.Tether.Example.org`), A);
    for (const h of [undefined, 'localhost:8080', '127.0.0.1:8080', `s-${A}`, `x-${A}.localhost`, `s-${A}.localhost:8080/evil`, `s-../.localhost`]) assert.equal(sessionOfHost(h), null, String(h));
  });
  it('builds the app origin from the host Tether was reached at', () => {
    assert.equal(appOrigin('127.0.0.1:8080', A, 'http'), `http://s-${A}.localhost:8080`);
    assert.equal(appOrigin('localhost', A, 'http'), `http://s-${A}.localhost`);
    assert.equal(appOrigin('[::1]:9000', A, 'http'), `http://s-${A}.localhost:9000`);
    assert.equal(appOrigin('tether.example.org', A, 'https'), `https://s-${A}.tether.example.org`);
  });
  it('strips Tether cookies and keeps the app\'s own', () => {
    assert.equal(withoutTetherCookies('tether_session=x; a=1; tether_app=y;b=2'), 'a=1; b=2');
    assert.equal(withoutTetherCookies('__Host-tether_session=x; a=1; __Secure-Tether_App=y; TETHER_SESSION=z'), 'a=1', 'any case, any prefix');
    assert.equal(withoutTetherCookies('tether_app=y'), null);
    assert.equal(withoutTetherCookies(undefined), null);
    assert.equal(cookieValue('a=1; tether_app=s3cret', 'tether_app'), 's3cret');
    assert.equal(cookieValue('xtether_app=1', 'tether_app'), null);
  });
});
