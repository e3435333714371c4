import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rewriteResponseHead, rewriteSetCookie, rewriteSetCookies } from './set-cookie.js';

describe('workspace Set-Cookie', () => {
  it('drops the Domain attribute and keeps the rest of the cookie', () => {
    assert.equal(rewriteSetCookie('a=b; Domain=example.org'), 'a=b');
    assert.equal(rewriteSetCookie('a=b; Path=/x; domain=.localhost; HttpOnly; Max-Age=60'), 'a=b; Path=/x; HttpOnly; Max-Age=60');
    assert.equal(rewriteSetCookie('a=b;  DOMAIN = localhost ;Secure'), 'a=b; Secure');
    assert.equal(rewriteSetCookie('pref=dark'), 'pref=dark', 'a cookie without attributes passes as it is');
  });

  it("drops cookies named like Tether's, in any case and with any prefix, and nameless ones", () => {
    for (const v of [
      'tether_session=x; Domain=localhost', 'tether_app=y', 'TETHER_SESSION=x', ' tether_session =x', '__Host-tether_session=x; Secure; Path=/',
      '__Secure-tether_app=x; Secure', '__host-Tether_App=x', '=tether_session=x', 'tether_session', '', '=x',
    ]) assert.equal(rewriteSetCookie(v), null, v);
    assert.equal(rewriteSetCookie('tether_sessions=x'), 'tether_sessions=x', 'another name that merely starts the same');
  });

  it('rewrites every header of a response', () => {
    assert.deepEqual(rewriteSetCookies(['tether_session=x; Domain=localhost', 'a=b; Domain=example.org']), ['a=b']);
    assert.equal(rewriteSetCookies(['tether_app=1']), undefined);
    assert.equal(rewriteSetCookies(undefined), undefined);
  });

  it('rewrites a raw response head, bare LF and folded lines included', () => {
    const head = 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nSet-Cookie: tether_session=x; Domain=localhost\r\nset-cookie:a=b; Domain=example.org\r\nConnection: Upgrade';
    assert.equal(rewriteResponseHead(head), 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nset-cookie: a=b\r\nConnection: Upgrade');
    assert.equal(rewriteResponseHead('HTTP/1.1 200 OK\nSet-Cookie: c=d\n ; Domain=example.org\nX: y'), 'HTTP/1.1 200 OK\r\nset-cookie: c=d\r\nX: y');
    assert.equal(rewriteResponseHead('HTTP/1.1 200 OK\r\nSET-COOKIE : __Host-tether_app=z'), 'HTTP/1.1 200 OK');
  });
});
