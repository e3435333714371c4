// The app proxy while a workspace's web app is still starting: the real `tether server`
// process, the real Docker Engine and Debian's Chromium. The session's image serves its page
// only once the test creates /tmp/go in the container (busybox httpd behind a wait loop), so
// "running but not answering yet" lasts exactly as long as the test wants, with no timing.
// - A page navigation (Accept: text/html) gets a small 502 page that reloads itself every
//   second, counting its tries in a cookie; after the last try it says plainly that the app is
//   not answering and stops. Anything else (a fetch, Accept */*) keeps the plain-text 502.
// - In Chromium: "Open app" right after `running` shows the starting page; once the app
//   answers, the page has turned into the app by itself (no reload by the test).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dockerClient, execIn, removeLabelled, TEST_IMAGE } from './helpers/docker.js';
import { freePort, login, startTetherServer, type ServerProcess } from './helpers/tether-server.js';
import { launchBrowser, signIn, type TestBrowser } from './helpers/browser.js';
import { eventually } from './helpers/sessions.js';
import { makeApi, type Api } from './helpers/http-api.js';
import { ensureDemoStack, enterApp, launchAndWait, rawRequest, stopServer } from './proxy-lab.js';

const docker = dockerClient();
const run = promisify(execFile);

/** busybox httpd on 8080, started only once /tmp/go exists */
const SLOW_APP = 'mkdir -p /tmp/www && echo "<title>slow app</title><h1>slow app ready</h1>" > /tmp/www/index.html '
  + '&& while [ ! -e /tmp/go ]; do sleep 1; done; exec httpd -f -p 8080 -h /tmp/www';

describe('app proxy: a browser opening a workspace that is still starting (Chromium, tether server, Docker Engine)', { timeout: 180_000 }, () => {
  const id = randomUUID().slice(0, 8);
  const image = `tether-test/slow-app:${id}`;
  const password = 'starting-password-1234';
  let dataDir: string | undefined;
  let server: ServerProcess | undefined;
  let port = 0;
  let browser: TestBrowser | undefined;
  let alice: Api;
  const sessions: string[] = [];

  before(async () => {
    await ensureDemoStack();
    const c = await docker.createContainer({ Image: TEST_IMAGE, Cmd: ['true'] });
    await run('docker', ['commit', '--change', `CMD ["sh", "-c", ${JSON.stringify(SLOW_APP)}]`, c.id, image]);
    await c.remove();
    dataDir = await mkdtemp(join(tmpdir(), 'tether-starting-'));
    port = await freePort();
    server = await startTetherServer({ port, dataDir, database: join(dataDir, 'tether.db') });
    const admin = makeApi(server.url, await login(server.url));
    assert.equal((await admin('POST', '/images', { name: `slow-${id}`, docker_image: image, web_port: 8080 })).status, 201);
    assert.equal((await admin('POST', '/users', { username: `alice-${id}`, password })).status, 201);
    alice = makeApi(server.url, await login(server.url, `alice-${id}`, password));
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await stopServer(server);
    for (const s of sessions) await removeLabelled(docker, `tether.session=${s}`);
    await docker.getImage(image).remove({ force: true }).catch(() => undefined);
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  async function launch(): Promise<{ session: string; container: string; host: string }> {
    const session = await launchAndWait(alice, `slow-${id}`);
    sessions.push(session);
    const container = (await alice('GET', `/sessions/${session}`)).json.container_id as string;
    return { session, container, host: `s-${session}.localhost:${port}` };
  }

  it('answers a page navigation with a self-reloading "starting" page, gives up clearly after the last try; other requests keep the plain 502', async () => {
    const { session, container, host } = await launch();
    const cookie = await enterApp(alice, port, session);
    const html = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };

    const first = await rawRequest(port, host, '/', { ...html, cookie });
    assert.equal(first.status, 502);
    assert.match(String(first.headers['content-type']), /^text\/html/);
    assert.match(first.body, /<meta http-equiv="refresh" content="1">/);
    assert.match(first.body, /The workspace is starting/);
    assert.match(first.body, /try 1 of 8/);
    assert.match(String(first.headers['set-cookie']), /^tether_app_retry=1; Path=\/; Max-Age=60; HttpOnly; SameSite=Strict/);

    // the count goes on from the cookie; a garbled or hostile count starts again at 1
    const fourth = await rawRequest(port, host, '/', { ...html, cookie: `${cookie}; tether_app_retry=3` });
    assert.match(fourth.body, /try 4 of 8/);
    const garbled = await rawRequest(port, host, '/', { ...html, cookie: `${cookie}; tether_app_retry=<script>` });
    assert.match(garbled.body, /try 1 of 8/);
    assert.doesNotMatch(garbled.body, /<script>/);

    // after the last try: a clear message, no more reloading, the count forgotten
    const last = await rawRequest(port, host, '/', { ...html, cookie: `${cookie}; tether_app_retry=8` });
    assert.equal(last.status, 502);
    assert.match(last.body, /The workspace is not answering/);
    assert.match(last.body, /did not answer after 8 tries \(port 8080: [^)]*connect ECONNREFUSED/);
    assert.doesNotMatch(last.body, /http-equiv="refresh"/);
    assert.match(String(last.headers['set-cookie']), /^tether_app_retry=; Path=\/; Max-Age=0/);

    // not a page navigation: the plain-text 502 as before
    for (const headers of [{ accept: '*/*' }, { accept: 'application/json' }, { ...html, 'sec-fetch-mode': 'cors' }]) {
      const plain = await rawRequest(port, host, '/', { ...headers, cookie });
      assert.equal(plain.status, 502);
      assert.match(String(plain.headers['content-type']), /^text\/plain/);
      assert.match(plain.body, /^Tether app proxy: the workspace's web app at port 8080 did not answer/);
      assert.equal(plain.headers['set-cookie'], undefined);
    }

    // once the app answers, a request carrying a count is proxied and the count forgotten
    await execIn(docker, container, ['touch', '/tmp/go']);
    const up = await eventually(async () => {
      const r = await rawRequest(port, host, '/', { ...html, cookie: `${cookie}; tether_app_retry=2` });
      return r.status === 200 ? r : null;
    }, 20_000, 'the slow app answering');
    assert.match(up.body, /slow app ready/);
    assert.match(String(up.headers['set-cookie']), /tether_app_retry=; Path=\/; Max-Age=0/);
  });

  it('in Chromium: "Open app" right after running shows the starting page, which turns into the app by itself', async () => {
    const page = browser!.page;
    await signIn(page, server!.url, `alice-${id}`, password);
    const { session, container } = await launch();
    await page.goto(`${server!.url}/sessions/${session}`);
    const [app] = await Promise.all([browser!.context.waitForEvent('page'), page.getByRole('button', { name: /Open (app|desktop)/ }).click()]);
    await eventually(async () => (await app.title().catch(() => '')) === 'Workspace starting', 15_000, 'the starting page');
    assert.match(await app.locator('body').innerText(), /The workspace is starting/);
    // it keeps retrying while the app is down (the try count climbs) ...
    await eventually(async () => /try [2-8] of 8/.test(await app.locator('body').innerText().catch(() => '')), 10_000, 'a second try');
    // ... and becomes the app once it answers, with nothing done in the browser
    await execIn(docker, container, ['touch', '/tmp/go']);
    await eventually(async () => (await app.title().catch(() => '')) === 'slow app', 20_000, 'the app, reached by the page\'s own retry');
    assert.equal(await app.locator('h1').innerText(), 'slow app ready');
    assert.equal(new URL(app.url()).host, `s-${session}.localhost:${port}`);
  });
});
