// The session terminal end to end against the real `tether server` process, the real Docker
// Engine and Debian's Chromium: the demo image's session (busybox sh, no bash, uid 1000);
// typing in the browser's xterm.js and reading the output; `tether session shell ID` with
// piped stdin (output and the shell's exit code); resize; and who is refused: no credentials
// (401), another user (404), a cookie-authenticated upgrade from a foreign Origin (403); an
// administrator gets in and is audited. TETHER_SCREENSHOTS=1 writes docs/screenshots/terminal.png.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dockerClient, removeLabelled } from './helpers/docker.js';
import { freePort, login, REPO_ROOT, startTetherServer, type ServerProcess } from './helpers/tether-server.js';
import { launchBrowser, signIn, type TestBrowser } from './helpers/browser.js';
import { runTether } from './helpers/cli.js';
import { eventually } from './helpers/sessions.js';
import { connectTerminal, ensureDemoStack, launchAndWait, stopServer } from './proxy-lab.js';
import { makeApi } from './helpers/http-api.js';

const docker = dockerClient();
const SHOTS = process.env.TETHER_SCREENSHOTS ? join(REPO_ROOT, 'docs/screenshots') : null;

describe('session terminal: browser, CLI, refusals (Chromium, tether server, Docker Engine)', { timeout: 120_000 }, () => {
  const run = randomUUID().slice(0, 8);
  const share = `/srv/tether-term-${run}`;
  const password = 'term-password-1234';
  let dataDir: string | undefined;
  let server: ServerProcess | undefined;
  let browser: TestBrowser | undefined;
  let adminToken = '';
  let aliceToken = '';
  let bobToken = '';
  let sessionId = '';

  before(async () => {
    await ensureDemoStack();
    await mkdir(share, { recursive: true });
    dataDir = await mkdtemp(join(tmpdir(), 'tether-term-'));
    server = await startTetherServer({ port: await freePort(), dataDir, database: join(dataDir, 'tether.db') });
    adminToken = await login(server.url);
    const admin = makeApi(server.url, adminToken);
    assert.equal((await admin('POST', '/images', { name: `demo-${run}`, docker_image: 'tether/demo-workspace:1', web_port: 8080, user: '1000:1000', volume_mappings: { [share]: { bind: '/share', uid: 1000, gid: 1000 } } })).status, 201);
    for (const u of ['alice', 'bob']) assert.equal((await admin('POST', '/users', { username: `${u}-${run}`, password })).status, 201);
    aliceToken = await login(server.url, `alice-${run}`, password);
    bobToken = await login(server.url, `bob-${run}`, password);
    sessionId = await launchAndWait(makeApi(server.url, aliceToken), `demo-${run}`);
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await stopServer(server);
    if (sessionId) await removeLabelled(docker, `tether.session=${sessionId}`);
    await rm(share, { recursive: true, force: true });
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('types a command in the browser terminal and shows its output', async () => {
    const page = browser!.page;
    await signIn(page, server!.url, `alice-${run}`, password);
    await page.goto(`${server!.url}/sessions/${sessionId}`);
    await page.getByRole('button', { name: 'Terminal' }).click();
    await page.getByTestId('terminal-status').filter({ hasText: 'connected' }).waitFor();
    await page.locator('.xterm-helper-textarea').focus();
    // the output (42) differs from the typed text, so the shell really ran it
    await page.keyboard.type(`echo hello-$((6*7))-${run}; id -u\n`);
    const rows = page.locator('.xterm-rows');
    await eventually(async () => (await rows.innerText()).includes(`hello-42-${run}`), 10_000, 'the echo output in xterm');
    const text = await rows.innerText();
    assert.match(text, new RegExp(`^hello-42-${run}\\s*$`, 'm'), text);
    assert.match(text, /^1000\s*$/m, 'the shell runs as the session user (uid 1000)');
    if (SHOTS) {
      await mkdir(SHOTS, { recursive: true });
      await page.screenshot({ path: join(SHOTS, 'terminal.png') });
    }
  });

  it('tether session shell ID runs piped commands and exits with the shell\'s code', async () => {
    const shell = (token: string, stdin: string) => runTether(['session', 'shell', sessionId], { env: { TETHER_URL: server!.url, TETHER_TOKEN: token }, stdin, timeoutMs: 30_000 });
    const r = await shell(aliceToken, `echo out-$((2+3))\nid -un\necho to-stderr >&2\nls /share >/dev/null && echo share-ok\nexit 7\n`);
    assert.equal(r.code, 7, `exit code: ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
    assert.equal(r.stdout, 'out-5\nuser\nshare-ok\n');
    assert.equal(r.stderr, 'to-stderr\n', 'stderr stays apart');
    const ok = await shell(aliceToken, 'echo last\n');
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout, 'last\n', 'end of input ends the shell');
    const bob = await shell(bobToken, 'echo nope\n');
    assert.equal(bob.code, 1);
    assert.match(bob.stderr, /not found/);
    assert.equal(bob.stdout, '');
  });

  it('resizes the TTY on a resize message', async () => {
    const t = await connectTerminal(server!.url, sessionId, { authorization: `Bearer ${aliceToken}` }, 'tty=1&cols=100&rows=30');
    assert.equal(t.status, 101);
    try {
      t.send('stty size\n');
      await t.waitFor(/30 100/);
      t.control({ type: 'resize', cols: 132, rows: 43 });
      t.send('stty size\n');
      await t.waitFor(/43 132/);
    } finally {
      t.close();
    }
  });

  it('refuses no credentials (401), another user (404), a foreign Origin with the cookie (403); admits an administrator, audited', async () => {
    assert.equal((await connectTerminal(server!.url, sessionId, {})).status, 401);
    assert.equal((await connectTerminal(server!.url, sessionId, { authorization: `Bearer ${bobToken}` })).status, 404);
    // a sign-in cookie (what a browser would send along) with another site's Origin
    const cookie = `tether_session=${aliceToken}`;
    assert.equal((await connectTerminal(server!.url, sessionId, { cookie, origin: 'http://evil.localhost:1' })).status, 403);
    assert.equal((await connectTerminal(server!.url, sessionId, { cookie })).status, 403, 'a cookie without Origin is refused too');
    const own = await connectTerminal(server!.url, sessionId, { cookie, origin: server!.url });
    assert.equal(own.status, 101, 'the same cookie from Tether\'s own origin is accepted');
    own.close();
    const admin = makeApi(server!.url, adminToken);
    const before = ((await admin('GET', '/audit?action=session.terminal')).json as unknown[]).length;
    const t = await connectTerminal(server!.url, sessionId, { authorization: `Bearer ${adminToken}` });
    assert.equal(t.status, 101);
    t.send('echo admin-in\n');
    await t.waitFor(/admin-in/);
    t.close();
    const audit = (await admin('GET', '/audit?action=session.terminal')).json as Array<{ action: string; target_id: string; actor_name: string }>;
    assert.equal(audit.length, before + 1, JSON.stringify(audit));
    assert.equal(audit[0]?.target_id, sessionId);
    assert.equal(audit[0]?.actor_name, 'admin');
  });
});
