// Failed-login throttling through the real API: delays per (account, client address) and per
// address, never an account lock that keeps the owner out; X-Forwarded-For believed only from
// a configured trusted proxy (through the app and through the real `tether server` process).
// The clock is the app's injected one, moved by the Retry-After each answer gives: no waiting.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_THROTTLE } from '../src/auth/index.js';
import { makeTestApp, type TestApp } from './helpers/app.js';
import { freePort, login as serverLogin, startTetherServer, ADMIN_PASSWORD } from './helpers/tether-server.js';

const FREE = DEFAULT_THROTTLE.freeFailures;
const ADDRESS_FREE = DEFAULT_THROTTLE.addressFreeFailures;

async function throttledApp(extra: { trustedProxies?: string[] } = {}): Promise<{ t: TestApp; clock: { ms: number } }> {
  const clock = { ms: Date.now() };
  const t = await makeTestApp('sqlite', { now: () => new Date(clock.ms), ...extra });
  await t.makeUser('victim', { password: 'victim-password' });
  await t.makeUser('alice', { password: 'alice-password' });
  return { t, clock };
}

function loginAs(t: TestApp, username: string, password: string, remoteAddress: string, forwardedFor?: string) {
  return t.app.inject({
    method: 'POST', url: '/api/v1/login', remoteAddress, payload: { username, password },
    ...(forwardedFor ? { headers: { 'x-forwarded-for': forwardedFor } } : {}),
  });
}

/** A failed attempt that is answered (401), waiting out any delay first. */
async function failOnce(t: TestApp, clock: { ms: number }, username: string, address: string, forwardedFor?: string): Promise<void> {
  let res = await loginAs(t, username, 'wrong-password', address, forwardedFor);
  if (res.statusCode === 429) {
    clock.ms += Number(res.headers['retry-after']) * 1000;
    res = await loginAs(t, username, 'wrong-password', address, forwardedFor);
  }
  assert.equal(res.statusCode, 401, res.body);
}

describe('login throttling (API)', () => {
  let t: TestApp;
  let clock: { ms: number };
  before(async () => ({ t, clock } = await throttledApp()));
  after(async () => { await t?.cleanup(); });

  it('an attacker\'s 50 failures on "admin" from one address do not stop the real admin at another', async () => {
    for (let i = 0; i < 50; i++) await failOnce(t, clock, 'admin', '203.0.113.66');
    const attacker = await loginAs(t, 'admin', 'password-1234', '203.0.113.66');
    assert.equal(attacker.statusCode, 429, 'the attacker\'s address waits, even with the right password');
    assert.ok(Number(attacker.headers['retry-after']) >= 1);
    const owner = await loginAs(t, 'admin', 'password-1234', '198.51.100.10');
    assert.equal(owner.statusCode, 200, owner.body);
  });

  it('failures from one address delay that address with growing waits; the right password afterwards resets it', async () => {
    const from = '192.0.2.20';
    for (let i = 0; i < FREE; i++) assert.equal((await loginAs(t, 'victim', 'nope', from)).statusCode, 401, `free failure ${i + 1}`);
    assert.equal((await loginAs(t, 'victim', 'nope', from)).statusCode, 401);
    const waits: number[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await loginAs(t, 'victim', 'victim-password', from);
      assert.equal(res.statusCode, 429, 'refused during the delay, whatever the password');
      assert.match(res.json().detail, /try again in \d+ s/);
      waits.push(Number(res.headers['retry-after']));
      clock.ms += waits.at(-1)! * 1000;
      assert.equal((await loginAs(t, 'victim', 'nope', from)).statusCode, 401);
    }
    assert.deepEqual(waits, [1, 2, 4]);
    clock.ms += 8000;
    assert.equal((await loginAs(t, 'victim', 'victim-password', from)).statusCode, 200);
    assert.equal((await loginAs(t, 'victim', 'nope', from)).statusCode, 401);
    assert.equal((await loginAs(t, 'victim', 'nope', from)).statusCode, 401, 'the success started the count over');
  });

  it('one address spraying many accounts is delayed past a higher threshold, for every account; others are not', async () => {
    const from = '192.0.2.30';
    for (let i = 0; i < ADDRESS_FREE; i++) assert.equal((await loginAs(t, `nobody-${i}`, 'x', from)).statusCode, 401, `spray ${i + 1}`);
    assert.equal((await loginAs(t, 'alice', 'alice-password', from)).statusCode, 200, 'under the threshold a correct password still passes');
    assert.equal((await loginAs(t, 'nobody-last', 'x', from)).statusCode, 401);
    const res = await loginAs(t, 'alice', 'alice-password', from);
    assert.equal(res.statusCode, 429, 'the address is delayed for any account, and a success did not reset it');
    assert.equal((await loginAs(t, 'alice', 'alice-password', '192.0.2.31')).statusCode, 200);
  });

  it('without trusted proxies X-Forwarded-For is ignored: rotating it does not escape the delay', async () => {
    for (let i = 0; i <= FREE; i++) assert.equal((await loginAs(t, 'alice', 'nope', '127.0.0.1', `198.51.100.${i + 1}`)).statusCode, 401);
    const res = await loginAs(t, 'alice', 'alice-password', '127.0.0.1', '198.51.100.99');
    assert.equal(res.statusCode, 429, 'keyed on the connection\'s address, not the header');
  });
});

describe('login throttling behind a trusted reverse proxy (API)', () => {
  let t: TestApp;
  let clock: { ms: number };
  before(async () => ({ t, clock } = await throttledApp({ trustedProxies: ['10.1.0.0/24'] })));
  after(async () => { await t?.cleanup(); });

  it('X-Forwarded-For from the proxy names the client: one client\'s failures do not delay another behind the same proxy', async () => {
    for (let i = 0; i <= FREE; i++) await failOnce(t, clock, 'victim', '10.1.0.1', '203.0.113.7');
    assert.equal((await loginAs(t, 'victim', 'victim-password', '10.1.0.1', '203.0.113.7')).statusCode, 429);
    assert.equal((await loginAs(t, 'victim', 'victim-password', '10.1.0.1', '203.0.113.8')).statusCode, 200);
  });

  it('from an address that is not a trusted proxy the header is not believed', async () => {
    // The attacker claims to be 203.0.113.9 while connecting from 10.2.0.5 (not in 10.1.0.0/24).
    for (let i = 0; i <= FREE; i++) assert.equal((await loginAs(t, 'alice', 'nope', '10.2.0.5', `203.0.113.${i + 20}`)).statusCode, 401);
    assert.equal((await loginAs(t, 'alice', 'alice-password', '10.2.0.5', '203.0.113.9')).statusCode, 429);
    assert.equal((await loginAs(t, 'alice', 'alice-password', '10.1.0.1', '203.0.113.9')).statusCode, 200, 'the real 203.0.113.9 behind the proxy is untouched');
  });
});

describe('TETHER_TRUSTED_PROXIES (the real tether server)', () => {
  it('believes X-Forwarded-For from the listed proxy only', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tether-throttle-'));
    const server = await startTetherServer({
      port: await freePort(), dataDir: dir, database: join(dir, 'tether.db'), env: { TETHER_TRUSTED_PROXIES: '127.0.0.1, ::1' },
    });
    try {
      const attempt = (password: string, forwardedFor: string) => fetch(`${server.url}/api/v1/login`, {
        method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor },
        body: JSON.stringify({ username: 'admin', password }),
      });
      for (let i = 0; i <= FREE; i++) assert.equal((await attempt('wrong', '203.0.113.1')).status, 401);
      const refused = await attempt(ADMIN_PASSWORD, '203.0.113.1');
      assert.equal(refused.status, 429);
      assert.ok(Number(refused.headers.get('retry-after')) >= 1);
      assert.equal((await attempt(ADMIN_PASSWORD, '203.0.113.2')).status, 200, 'another client behind the proxy signs in');
      // Without the header the client is the connection itself (127.0.0.1), not throttled either.
      assert.match(await serverLogin(server.url), /^tth_/);
    } finally {
      await server.kill('SIGTERM');
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses a malformed TETHER_TRUSTED_PROXIES at start, naming it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tether-throttle-'));
    try {
      await assert.rejects(
        startTetherServer({ port: await freePort(), dataDir: dir, database: join(dir, 'tether.db'), env: { TETHER_TRUSTED_PROXIES: 'proxy.example.org' } }),
        /TETHER_TRUSTED_PROXIES: "proxy.example.org" is not an address or CIDR/,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
