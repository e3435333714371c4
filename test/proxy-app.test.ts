// The per-session app origin end to end: the real `tether server` process, the real Docker
// Engine, Debian's Chromium and the demo workspace image.
// - "Open app" on the session page opens http://s-<id>.localhost:PORT (its own origin) with
//   a one-time entry link; the demo app lists /share, a note written there in the browser
//   survives destroy + relaunch (read back in the browser).
// - WebSocket through the proxy: busybox has no WebSocket server, so the session container
//   (demo image, web_port 8081 for this test's image) runs a real TCP relay,
//   `nc -ll -p 8081 -e nc <docker0 gateway> <port>`, to a WebSocket echo server (the `ws`
//   package) that this test runs on the host's bridge address. The browser's WebSocket thus
//   goes Chromium -> Tether proxy -> container IP:8081 -> busybox nc -> echo server and back;
//   the same server records what an app receives (no Tether cookie, no Authorization).
// - Refusals: no app cookie (HTTP and upgrade) 401; session A's cookie at session B 401;
//   another user's app-token request 404; entry links are single use and per session.
// TETHER_SCREENSHOTS=1 writes docs/screenshots/demo-app.png.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocketServer } from 'ws';
import type { Page } from 'playwright-core';
import { dockerClient, removeLabelled } from './helpers/docker.js';
import { freePort, login, REPO_ROOT, startTetherServer, type ServerProcess } from './helpers/tether-server.js';
import { launchBrowser, signIn, type TestBrowser } from './helpers/browser.js';
import { eventually } from './helpers/sessions.js';
import { ensureDemoStack, launchAndWait, rawRequest, stopServer } from './proxy-lab.js';
import { makeApi, type Api } from './helpers/http-api.js';

const docker = dockerClient();
const SHOTS = process.env.TETHER_SCREENSHOTS ? join(REPO_ROOT, 'docs/screenshots') : null;

/** the docker0 bridge's address on this host: containers reach the host there */
function bridgeGateway(): string {
  const v4 = (networkInterfaces().docker0 ?? []).find((a) => a.family === 'IPv4');
  if (!v4) throw new Error('no IPv4 address on docker0: the local engine\'s default bridge is expected');
  return v4.address;
}

/** The status an upgrade request gets (101 = the WebSocket was accepted). */
function upgradeStatus(port: number, host: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/echo', headers: { ...headers, host, connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' } });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve(res.statusCode ?? 0);
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('session web app on its own origin (Chromium, tether server, Docker Engine)', { timeout: 150_000 }, () => {
  const run = randomUUID().slice(0, 8);
  const share = `/srv/tether-proxy-${run}/share`;
  const password = 'proxy-password-1234';
  let dataDir: string | undefined;
  let server: ServerProcess | undefined;
  let port = 0;
  let browser: TestBrowser | undefined;
  let alice: Api;
  let bob: Api;
  let echo: Server | undefined;
  let wss: WebSocketServer | undefined;
  let lastHeaders: IncomingHttpHeaders = {};
  const sessions: string[] = [];

  before(async () => {
    await ensureDemoStack();
    await mkdir(share, { recursive: true });
    dataDir = await mkdtemp(join(tmpdir(), 'tether-proxy-'));
    port = await freePort();
    server = await startTetherServer({ port, dataDir, database: join(dataDir, 'tether.db') });
    const admin = makeApi(server.url, await login(server.url));
    const demo = { docker_image: 'tether/demo-workspace:1', user: '1000:1000' };
    assert.equal((await admin('POST', '/images', { ...demo, name: `demo-${run}`, web_port: 8080, volume_mappings: { [share]: { bind: '/share', uid: 1000, gid: 1000 } } })).status, 201);
    // the relay reaches a WebSocket server on this host's docker0 address: sessions on the isolated
    // network cannot reach the host, so this image joins the default bridge (an administrator's choice)
    assert.equal((await admin('POST', '/images', { ...demo, name: `relay-${run}`, web_port: 8081, volume_mappings: {}, security: { network: 'bridge' } })).status, 201);
    for (const u of ['alice', 'bob']) assert.equal((await admin('POST', '/users', { username: `${u}-${run}`, password })).status, 201);
    alice = makeApi(server.url, await login(server.url, `alice-${run}`, password));
    bob = makeApi(server.url, await login(server.url, `bob-${run}`, password));
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await stopServer(server);
    for (const id of sessions) await removeLabelled(docker, `tether.session=${id}`);
    for (const c of wss?.clients ?? []) c.terminate();
    wss?.close();
    echo?.closeAllConnections();
    echo?.close();
    await rm(`/srv/tether-proxy-${run}`, { recursive: true, force: true });
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  async function launch(api: Api, image: string): Promise<string> {
    const id = await launchAndWait(api, image);
    sessions.push(id);
    return id;
  }

  /** Opens the app from the session page ("Open app"); the app's page. */
  async function openApp(id: string): Promise<Page> {
    const page = browser!.page;
    await page.goto(`${server!.url}/sessions/${id}`);
    const [app] = await Promise.all([browser!.context.waitForEvent('page'), page.getByRole('button', { name: 'Open app' }).click()]);
    await app.waitForURL(`http://s-${id}.localhost:${port}/`);
    return app;
  }

  it('opens the demo app from the session page on its own origin; a note written there survives a relaunch', async () => {
    const page = browser!.page;
    await signIn(page, server!.url, `alice-${run}`, password);
    const first = await launch(alice, `demo-${run}`);
    const app = await openApp(first);
    await app.locator('#tree button[data-path="/share"]').waitFor();
    assert.equal(await app.evaluate(() => document.cookie), '', 'the app cookie is HttpOnly and Tether\'s own cookie is not on this origin');
    await app.getByRole('button', { name: 'New note in /share' }).click();
    const note = `persisted note ${run}`;
    await app.locator('#content').fill(note);
    await app.getByRole('button', { name: 'Save' }).click();
    await app.locator('#status').filter({ hasText: 'saved /share/note-' }).waitFor();
    const notePath = await app.locator('#path').inputValue();
    const name = notePath.replace('/share/', '');
    assert.equal(await readFile(join(share, name), 'utf8'), note, 'the note is on the host, in the mapped folder');
    await app.locator(`#tree button[data-path="${notePath}"]`).waitFor();
    if (SHOTS) {
      await mkdir(SHOTS, { recursive: true });
      await app.screenshot({ path: join(SHOTS, 'demo-app.png') });
    }
    // the demo refuses paths outside its mounted folders
    const escape = await app.evaluate(async () => (await fetch('cgi-bin/files?op=read&path=%2Fshare%2F..%2Fetc%2Fpasswd')).status);
    assert.equal(escape, 400);
    await app.close();

    assert.equal((await alice('DELETE', `/sessions/${first}`)).status, 202);
    await eventually(async () => (await alice('GET', `/sessions/${first}`)).json.state === 'destroyed', 30_000, 'destroyed');
    assert.deepEqual(await readdir(share), [name]);
    const second = await launch(alice, `demo-${run}`);
    const again = await openApp(second);
    await again.locator(`#tree button[data-path="${notePath}"]`).click();
    await eventually(async () => (await again.locator('#content').inputValue()) === note, 10_000, 'the note in the relaunched app');
    await again.close();
  });

  it('proxies WebSockets (to a real relay in the container) and strips Tether credentials', async () => {
    // launched first: docker0 is up (and listed by Node) only while a container is attached to it
    const relay = await launch(alice, `relay-${run}`);
    const gateway = bridgeGateway();
    echo = createServer((req, res) => {
      lastHeaders = req.headers;
      res.end('plain http through the relay');
    });
    wss = new WebSocketServer({ server: echo });
    wss.on('connection', (ws) => ws.on('message', (m) => ws.send(`echo:${m.toString()}`)));
    await new Promise<void>((r) => echo!.listen(0, gateway, r));
    const echoPort = (echo.address() as { port: number }).port;
    const rec = (await alice('GET', `/sessions/${relay}`)).json as { container_id: string };
    // detached through the docker CLI (a detached exec through dockerode leaves its socket open)
    await promisify(execFile)('docker', ['exec', '-d', '-u', '1000:1000', rec.container_id, 'nc', '-ll', '-p', '8081', '-e', 'nc', gateway, String(echoPort)], { timeout: 30_000 });

    const app = await openApp(relay);
    const reply = await app.evaluate(async (msg) => new Promise<string>((resolve, reject) => {
      const ws = new WebSocket(`ws://${location.host}/echo`);
      ws.onopen = () => ws.send(msg);
      ws.onmessage = (e) => resolve(String(e.data));
      ws.onerror = () => reject(new Error('websocket error'));
    }), `ping-${run}`);
    assert.equal(reply, `echo:ping-${run}`);
    assert.equal(await app.evaluate(async () => (await fetch('/plain')).text()), 'plain http through the relay');
    await app.close();

    // what the app receives: its own cookies only, never Tether's, and no Authorization
    const entry = (await alice('POST', `/sessions/${relay}/app-token`)).json as { url: string };
    const host = `s-${relay}.localhost:${port}`;
    const entered = await rawRequest(port, host, new URL(entry.url).pathname + new URL(entry.url).search);
    assert.equal(entered.status, 200, 'the entry page sets the cookie and moves on to / from the app origin itself');
    const appCookie = String(entered.headers['set-cookie']).split(';')[0]!;
    const r = await rawRequest(port, host, '/plain', { cookie: `${appCookie}; tether_session=SECRET; mine=1`, authorization: 'Bearer SECRET' });
    assert.equal(r.status, 200, r.body);
    assert.equal(lastHeaders.cookie, 'mine=1');
    assert.equal(lastHeaders.authorization, undefined);
  });

  it('refuses no cookie, another session\'s cookie, another user, and reused or misdirected entry links', async () => {
    const mine = sessions[sessions.length - 1]!;
    const bobs = await launch(bob, `demo-${run}`);
    const mineHost = `s-${mine}.localhost:${port}`;
    const bobsHost = `s-${bobs}.localhost:${port}`;
    assert.equal((await rawRequest(port, mineHost, '/')).status, 401);
    assert.equal(await upgradeStatus(port, mineHost), 401);
    assert.equal((await bob('POST', `/sessions/${mine}/app-token`)).status, 404, 'another user gets no entry link');
    // Bob's own API token is no app credential
    assert.equal((await rawRequest(port, mineHost, '/', { authorization: `Bearer ${(await login(server!.url, `bob-${run}`, password))}` })).status, 401);

    const entry = (await alice('POST', `/sessions/${mine}/app-token`)).json as { url: string };
    const path = new URL(entry.url).pathname + new URL(entry.url).search;
    assert.equal((await rawRequest(port, bobsHost, path)).status, 403, 'an entry link for session A does not open session B');
    assert.equal((await rawRequest(port, mineHost, path)).status, 403, 'and it was used up by that attempt');
    const fresh = (await alice('POST', `/sessions/${mine}/app-token`)).json as { url: string };
    const freshPath = new URL(fresh.url).pathname + new URL(fresh.url).search;
    const ok = await rawRequest(port, mineHost, freshPath);
    assert.equal(ok.status, 200);
    assert.equal((await rawRequest(port, mineHost, freshPath)).status, 403, 'single use');
    const cookie = String(ok.headers['set-cookie']).split(';')[0]!;
    assert.match(String(ok.headers['set-cookie']), /^tether_app=[^;]+; Path=\/; HttpOnly; SameSite=Strict$/);
    assert.equal((await rawRequest(port, mineHost, '/plain', { cookie })).status, 200);
    assert.equal((await rawRequest(port, bobsHost, '/', { cookie })).status, 401, 'session A\'s app cookie does not open session B');
    assert.equal(await upgradeStatus(port, bobsHost, { cookie }), 401);
    // Tether's own API and UI are not served on an app origin
    assert.equal((await rawRequest(port, mineHost, '/api/v1/sessions', { cookie })).status, 200, 'proxied to the app, not the API');
    assert.equal(lastHeaders.cookie, undefined);
  });
});
