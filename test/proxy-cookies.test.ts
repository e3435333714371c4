// App cookies cannot touch Tether's. Against the real `tether server`, the real Docker Engine
// and Chromium: a workspace app (busybox nc + sh in the session container, proxy-lab.ts) that
// answers every request and WebSocket upgrade with `Set-Cookie: tether_session=planted;
// Domain=localhost` and `Set-Cookie: a=b; Domain=example.org` reaches the browser as `a=b`
// alone, without Domain: in the raw answers and in Chromium's cookie jar. And through the API
// (no engine needed): Tether's sign-in cookie attributes over HTTP and, with TETHER_PUBLIC_URL
// https://..., the `__Host-` name that no other host can set; the sign-in cookie sent twice
// (one planted for a parent domain) is refused, signing in stays possible.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dockerClient, removeLabelled } from './helpers/docker.js';
import { freePort, login, startTetherServer, type ServerProcess } from './helpers/tether-server.js';
import { launchBrowser, signIn, type TestBrowser } from './helpers/browser.js';
import { makeApi, type Api } from './helpers/http-api.js';
import { makeTestApp, type TestApp } from './helpers/app.js';
import { enterApp, ensureDemoStack, launchAndWait, proxiedUpgrade, rawRequest, serveHostileApp, stopServer } from './proxy-lab.js';

const docker = dockerClient();
const APP_PORT = 8081;

describe('a workspace app\'s Set-Cookie (tether server, Docker Engine, Chromium)', { timeout: 150_000 }, () => {
  const run = randomUUID().slice(0, 8);
  const password = 'cookie-password-1234';
  let dataDir: string | undefined;
  let server: ServerProcess | undefined;
  let port = 0;
  let browser: TestBrowser | undefined;
  let alice: Api;
  let sessionId = '';

  before(async () => {
    await ensureDemoStack();
    dataDir = await mkdtemp(join(tmpdir(), 'tether-cookies-'));
    port = await freePort();
    server = await startTetherServer({ port, dataDir, database: join(dataDir, 'tether.db') });
    const admin = makeApi(server.url, await login(server.url));
    assert.equal((await admin('POST', '/images', { name: `cookies-${run}`, docker_image: 'tether/demo-workspace:1', web_port: APP_PORT, user: '1000:1000', volume_mappings: {} })).status, 201);
    assert.equal((await admin('POST', '/users', { username: `alice-${run}`, password })).status, 201);
    alice = makeApi(server.url, await login(server.url, `alice-${run}`, password));
    sessionId = await launchAndWait(alice, `cookies-${run}`);
    const containerId = (await alice('GET', `/sessions/${sessionId}`)).json.container_id as string;
    await serveHostileApp(containerId, APP_PORT);
  });

  after(async () => {
    await browser?.close();
    await stopServer(server);
    if (sessionId) await removeLabelled(docker, `tether.session=${sessionId}`);
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('an answer and a WebSocket upgrade reach the client with a=b only, without Domain', async () => {
    const host = `s-${sessionId}.localhost:${port}`;
    const cookie = await enterApp(alice, port, sessionId);
    const r = await rawRequest(port, host, '/', { cookie });
    assert.equal(r.status, 200, r.body);
    assert.equal(r.body, 'ok\n');
    assert.deepEqual(r.headers['set-cookie'], ['a=b']);
    const up = await proxiedUpgrade(port, host, { cookie, origin: `http://${host}` });
    up.socket?.destroy();
    assert.equal(up.status, 101);
    assert.deepEqual(up.headers['set-cookie'], ['a=b']);
  });

  it("Chromium's cookie jar holds the app's a=b on the app's host only, and no planted tether_session", async () => {
    browser = await launchBrowser();
    const page = browser.page;
    await signIn(page, server!.url, `alice-${run}`, password);
    await page.goto(`${server!.url}/sessions/${sessionId}`);
    const [app] = await Promise.all([browser.context.waitForEvent('page'), page.getByRole('button', { name: 'Open app' }).click()]);
    await app.waitForURL(`http://s-${sessionId}.localhost:${port}/`);
    await app.getByText('ok').waitFor();
    const jar = await browser.context.cookies();
    const names = jar.map((c) => `${c.name}@${c.domain}`).sort();
    assert.deepEqual(names, [`a@s-${sessionId}.localhost`, `tether_app@s-${sessionId}.localhost`, 'tether_session@127.0.0.1'], JSON.stringify(jar));
    const tether = jar.find((c) => c.name === 'tether_session')!;
    assert.equal(tether.value === 'planted', false);
    assert.equal(tether.sameSite, 'Strict');
    assert.equal(tether.httpOnly, true);
    const appCookie = jar.find((c) => c.name === 'tether_app')!;
    assert.equal(appCookie.sameSite, 'Strict');
    assert.equal(appCookie.httpOnly, true);
    await app.close();
  });
});

describe("Tether's own cookies (API)", () => {
  let plain: TestApp;
  let secure: TestApp;

  before(async () => {
    plain = await makeTestApp('sqlite');
    secure = await makeTestApp('sqlite', { secureCookies: true });
    for (const t of [plain, secure]) await t.makeUser('carol', { password: 'carol-password-1' });
  });

  after(async () => {
    await plain.cleanup();
    await secure.cleanup();
  });

  const signInTo = (t: TestApp, cookie?: string) => t.app.inject({
    method: 'POST', url: '/api/v1/login', payload: { username: 'carol', password: 'carol-password-1' }, ...(cookie ? { headers: { cookie } } : {}),
  });

  it('over HTTP: tether_session, HttpOnly, SameSite=Strict, Path=/, host-only; sent twice it is refused', async () => {
    const res = await signInTo(plain);
    assert.equal(res.statusCode, 200);
    const set = String(res.headers['set-cookie']);
    assert.match(set, /^tether_session=tth_[^;]+; Path=\/; Expires=[^;]+; HttpOnly; SameSite=Strict$/);
    const secret = res.json().token as string;
    const me = (cookie: string) => plain.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie } });
    assert.equal((await me(`tether_session=${secret}`)).statusCode, 200);
    const planted = await me(`tether_session=tth_planted; tether_session=${secret}`);
    assert.equal(planted.statusCode, 401);
    assert.match(planted.json().message, /sent the cookie "tether_session" 2 times: one was set by another site for a parent domain/);
    assert.equal((await me(`tether_session=${secret}; tether_session=${secret}`)).statusCode, 401, 'even when both are the same');
    assert.equal((await signInTo(plain, `tether_session=x; tether_session=y`)).statusCode, 200, 'signing in stays possible');
  });

  it('over HTTPS (TETHER_PUBLIC_URL https://...): __Host-tether_session, Secure; the plain name is not a credential', async () => {
    const res = await signInTo(secure);
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['set-cookie']), /^__Host-tether_session=tth_[^;]+; Path=\/; Expires=[^;]+; HttpOnly; Secure; SameSite=Strict$/);
    const secret = res.json().token as string;
    const me = (cookie: string) => secure.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie } });
    assert.equal((await me(`__Host-tether_session=${secret}`)).statusCode, 200);
    assert.equal((await me(`tether_session=${secret}`)).statusCode, 401, 'a cookie any host could have set is ignored');
    const out = await secure.app.inject({ method: 'POST', url: '/api/v1/logout', headers: { cookie: `__Host-tether_session=${secret}` } });
    assert.equal(out.statusCode, 204);
    assert.match(String(out.headers['set-cookie']), /^__Host-tether_session=; .*Path=\/; .*Secure/);
    assert.equal((await me(`__Host-tether_session=${secret}`)).statusCode, 401, 'signed out');
  });
});
