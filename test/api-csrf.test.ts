// The CSRF guard in the auth hook: a state-changing request authenticated by the sign-in
// cookie must carry `x-tether-csrf: 1`; bearer tokens and safe methods need nothing.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { makeTestApp, type TestApp } from './helpers/app.js';

describe('CSRF header on cookie-authenticated changes', () => {
  let t: TestApp;
  let cookie: string;
  before(async () => {
    t = await makeTestApp('sqlite');
    const login = await t.call(null, { method: 'POST', url: '/api/v1/login', payload: { username: 'admin', password: 'password-1234' } });
    assert.equal(login.statusCode, 200, login.body);
    cookie = String(login.headers['set-cookie']).split(';')[0]!;
  });
  after(async () => t.cleanup());

  const body = (name: string) => ({ name, docker_image: 'busybox:1' });

  it('refuses a cookie POST without the header, changing nothing', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/images', headers: { cookie }, payload: body('csrf-no') });
    assert.equal(res.statusCode, 403, res.body);
    assert.match(res.json().message, /x-tether-csrf: 1/);
    assert.equal((await t.store.images.list()).some((i) => i.name === 'csrf-no'), false);
  });

  it('refuses a wrong header value', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/images', headers: { cookie, 'x-tether-csrf': 'yes' }, payload: body('csrf-bad') });
    assert.equal(res.statusCode, 403);
  });

  it('accepts a cookie POST with the header', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/images', headers: { cookie, 'x-tether-csrf': '1' }, payload: body('csrf-ok') });
    assert.equal(res.statusCode, 201, res.body);
  });

  it('lets cookie GETs through without the header', async () => {
    assert.equal((await t.app.inject({ method: 'GET', url: '/api/v1/images', headers: { cookie } })).statusCode, 200);
  });

  it('does not ask bearer tokens for the header', async () => {
    const res = await t.call(t.adminToken, { method: 'POST', url: '/api/v1/images', payload: body('csrf-bearer') });
    assert.equal(res.statusCode, 201, res.body);
  });
});
