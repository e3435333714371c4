// Revocation against the real `tether server` process, the real Docker Engine and Chromium:
// each way access ends (user disabled, new password, signed out, token revoked, session
// destroyed, user deleted) closes the user's open terminal (code 1008 with the reason), ends
// the app cookie and cuts a proxied WebSocket, each within a bounded wait; what was opened
// with another credential of the same user stays open where only one credential ended.
// Deleting a user with sessions is refused without force; with force their sessions are
// destroyed and their folders kept. A closed terminal leaves no process in the container.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dockerClient, removeLabelled } from './helpers/docker.js';
import { freePort, login, startTetherServer, type ServerProcess } from './helpers/tether-server.js';
import { launchBrowser, signIn, type TestBrowser } from './helpers/browser.js';
import { eventually } from './helpers/sessions.js';
import { makeApi, type Api } from './helpers/http-api.js';
import {
  connectTerminal, enterApp, ensureDemoStack, launchAndWait, proxiedUpgrade, rawRequest, serveHostileApp, stopServer,
  type ProxiedUpgrade, type TerminalClient,
} from './proxy-lab.js';

const docker = dockerClient();
const run = promisify(execFile);
/** how long revocation may take before the test fails ("within seconds") */
const BOUND_MS = 10_000;
const APP_PORT = 8081;

/** Settles with the value, or fails naming what did not happen in time. */
async function within<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`not within ${BOUND_MS} ms: ${what}`)), BOUND_MS); });
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Command lines of the container's processes, read from /proc through docker exec. */
async function processes(containerId: string): Promise<string[]> {
  const { stdout } = await run('docker', ['exec', containerId, 'sh', '-c', 'for f in /proc/[0-9]*/cmdline; do tr "\\0" " " < "$f"; echo; done'], { timeout: 10_000 });
  return stdout.split('\n').map((l) => l.trim()).filter((l) => l !== '');
}

describe('revocation closes terminals and app access (tether server, Docker Engine, Chromium)', { timeout: 300_000 }, () => {
  const runId = randomUUID().slice(0, 8);
  const root = `/srv/tether-revoke-${runId}`;
  const password = 'revoke-password-1234';
  const image = `revoke-${runId}`;
  let dataDir: string | undefined;
  let server: ServerProcess | undefined;
  let port = 0;
  let admin: Api;
  let browser: TestBrowser | undefined;
  const sessions: string[] = [];
  const terminals: TerminalClient[] = [];
  const upgrades: ProxiedUpgrade[] = [];

  before(async () => {
    await ensureDemoStack();
    await mkdir(root, { recursive: true });
    dataDir = await mkdtemp(join(tmpdir(), 'tether-revoke-'));
    port = await freePort();
    server = await startTetherServer({ port, dataDir, database: join(dataDir, 'tether.db') });
    admin = makeApi(server.url, await login(server.url));
    const created = await admin('POST', '/images', {
      name: image, docker_image: 'tether/demo-workspace:1', web_port: APP_PORT, user: '1000:1000',
      volume_mappings: { [`${root}/{username}`]: { bind: '/data', uid: 1000, gid: 1000 } },
    });
    assert.equal(created.status, 201, created.text);
  });

  after(async () => {
    for (const t of terminals) t.close();
    for (const u of upgrades) u.socket?.destroy();
    await browser?.close();
    await stopServer(server);
    for (const id of sessions) await removeLabelled(docker, `tether.session=${id}`);
    await rm(root, { recursive: true, force: true });
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  interface Opened {
    username: string;
    userId: string;
    token: string;
    api: Api;
    sessionId: string;
    containerId: string;
    terminal: TerminalClient;
    appCookie: string;
    appSocket: ProxiedUpgrade;
  }

  /** A new user, signed in, with a running session, an open terminal, the app entered and a proxied WebSocket open. */
  async function openEverything(name: string): Promise<Opened> {
    const username = `${name}-${runId}`;
    const made = await admin('POST', '/users', { username, password });
    assert.equal(made.status, 201, made.text);
    const token = await login(server!.url, username, password);
    const api = makeApi(server!.url, token);
    const sessionId = await launchAndWait(api, image);
    sessions.push(sessionId);
    const containerId = (await api('GET', `/sessions/${sessionId}`)).json.container_id as string;
    await serveHostileApp(containerId, APP_PORT);
    const opened = await openWith(api, token, sessionId);
    return { username, userId: made.json.user_id as string, token, api, sessionId, containerId, ...opened };
  }

  /** Terminal, app cookie and proxied WebSocket on the session, all opened with this credential. */
  async function openWith(api: Api, token: string, sessionId: string) {
    const terminal = await connectTerminal(server!.url, sessionId, { authorization: `Bearer ${token}` });
    assert.equal(terminal.status, 101);
    terminals.push(terminal);
    terminal.send(`echo alive-$((40+2))\n`);
    await terminal.waitFor(/alive-42/);
    const appCookie = await enterApp(api, port, sessionId);
    const host = `s-${sessionId}.localhost:${port}`;
    assert.equal((await rawRequest(port, host, '/', { cookie: appCookie })).status, 200, 'the app answers before the revocation');
    const appSocket = await proxiedUpgrade(port, host, { cookie: appCookie, origin: `http://${host}` });
    assert.equal(appSocket.status, 101);
    upgrades.push(appSocket);
    return { terminal, appCookie, appSocket };
  }

  /** Everything opened with `o` ends within BOUND_MS; the terminal's close reason names `reason`. */
  async function assertAllEnded(o: Pick<Opened, 'terminal' | 'appCookie' | 'appSocket' | 'sessionId'>, reason: RegExp): Promise<void> {
    const closed = await within(o.terminal.closed, 'the terminal closes');
    assert.equal(closed.code, 1008, JSON.stringify(closed));
    assert.match(closed.reason, reason);
    await within(o.appSocket.closed, 'the proxied WebSocket is cut');
    const host = `s-${o.sessionId}.localhost:${port}`;
    await eventually(async () => (await rawRequest(port, host, '/', { cookie: o.appCookie })).status !== 200, BOUND_MS, 'the app cookie stops working');
    assert.equal((await rawRequest(port, host, '/', { cookie: o.appCookie })).status, 401);
  }

  it('disabling a user closes their terminal (in Chromium too), app cookie and proxied WebSocket', async () => {
    const o = await openEverything('disabled');
    browser = await launchBrowser();
    const page = browser.page;
    await signIn(page, server!.url, o.username, password);
    await page.goto(`${server!.url}/sessions/${o.sessionId}`);
    await page.getByRole('button', { name: 'Terminal' }).click();
    await page.getByTestId('terminal-status').filter({ hasText: 'connected' }).waitFor();
    assert.equal((await admin('PATCH', `/users/${o.userId}`, { disabled: true })).status, 200);
    await assertAllEnded(o, /^access revoked: user disabled$/);
    await page.getByTestId('terminal-status').filter({ hasText: 'access revoked: user disabled' }).waitFor({ timeout: BOUND_MS });
    // enabled again, the old app cookie stays dead: its grant was dropped
    assert.equal((await admin('PATCH', `/users/${o.userId}`, { disabled: false })).status, 200);
    assert.equal((await rawRequest(port, `s-${o.sessionId}.localhost:${port}`, '/', { cookie: o.appCookie })).status, 401);
  });

  it('a new password closes everything the user has open, whatever credential opened it', async () => {
    const o = await openEverything('password');
    const apiToken = (await o.api('POST', '/tokens', { name: 'cli' })).json.token as string;
    const second = await openWith(makeApi(server!.url, apiToken), apiToken, o.sessionId);
    assert.equal((await admin('PATCH', `/users/${o.userId}`, { password: 'another-password-5678' })).status, 200);
    await assertAllEnded(o, /^access revoked: password changed$/);
    await assertAllEnded({ ...second, sessionId: o.sessionId }, /^access revoked: password changed$/);
  });

  it('signing out closes what was opened with that sign-in, and only that', async () => {
    const o = await openEverything('logout');
    const other = await login(server!.url, o.username, password);
    const kept = await openWith(makeApi(server!.url, other), other, o.sessionId);
    assert.equal((await o.api('POST', '/logout')).status, 204);
    await assertAllEnded(o, /^access revoked: signed out$/);
    // the other sign-in's terminal and app still work
    kept.terminal.send('echo still-$((1+1))\n');
    await kept.terminal.waitFor(/still-2/);
    assert.equal((await rawRequest(port, `s-${o.sessionId}.localhost:${port}`, '/', { cookie: kept.appCookie })).status, 200);
  });

  it('revoking an API token closes what was opened with it', async () => {
    const o = await openEverything('token');
    const made = (await o.api('POST', '/tokens', { name: 'script' })).json as { token_id: string; token: string };
    const viaToken = await openWith(makeApi(server!.url, made.token), made.token, o.sessionId);
    assert.equal((await admin('DELETE', `/tokens/${made.token_id}`)).status, 204);
    await assertAllEnded({ ...viaToken, sessionId: o.sessionId }, /^access revoked: token revoked$/);
    o.terminal.send('echo sign-in-still-open\n');
    await o.terminal.waitFor(/sign-in-still-open/);
  });

  it('destroying the session closes its terminal, app access and proxied WebSocket', async () => {
    const o = await openEverything('destroy');
    assert.equal((await o.api('DELETE', `/sessions/${o.sessionId}`)).status, 202);
    const closed = await within(o.terminal.closed, 'the terminal closes');
    assert.equal(closed.code, 1008, JSON.stringify(closed));
    assert.match(closed.reason, /^access revoked: session stopping$/);
    await within(o.appSocket.closed, 'the proxied WebSocket is cut');
    await eventually(async () => (await rawRequest(port, `s-${o.sessionId}.localhost:${port}`, '/', { cookie: o.appCookie })).status !== 200, BOUND_MS, 'the app stops answering');
  });

  it('deleting a user with sessions: refused without force; with force the sessions are destroyed and the folders kept', async () => {
    const o = await openEverything('deleted');
    await run('docker', ['exec', '-u', '1000:1000', o.containerId, 'sh', '-c', 'echo kept > /data/note.txt'], { timeout: 10_000 });
    const refused = await admin('DELETE', `/users/${o.userId}`);
    assert.equal(refused.status, 409, refused.text);
    assert.match(refused.json.message, /has 1 session\(s\) not destroyed yet .*force=true/);
    assert.equal((await admin('GET', `/users/${o.userId}`)).status, 200, 'still there');
    o.terminal.send('echo not-yet\n');
    await o.terminal.waitFor(/not-yet/);

    assert.equal((await admin('DELETE', `/users/${o.userId}?force=true`)).status, 204);
    await assertAllEnded(o, /^access revoked: user deleted$/);
    assert.equal((await admin('GET', `/users/${o.userId}`)).status, 404);
    assert.equal((await admin('GET', `/sessions/${o.sessionId}`)).json.state, 'destroyed', 'destroyed before the delete answered');
    assert.deepEqual(await docker.listContainers({ all: true, filters: { label: [`tether.session=${o.sessionId}`] } }), []);
    assert.equal(await readFile(join(root, o.username, 'note.txt'), 'utf8'), 'kept\n', 'the user\'s folder is intact');
  });

  for (const tty of [true, false]) {
    it(`a closed terminal (${tty ? 'TTY' : 'piped'}) leaves none of its processes in the container`, async () => {
      const o = await openEverything(tty ? 'procs-tty' : 'procs-pipe');
      o.terminal.close();
      await o.terminal.closed;
      const t = await connectTerminal(server!.url, o.sessionId, { authorization: `Bearer ${o.token}` }, tty ? 'tty=1' : 'tty=0');
      terminals.push(t);
      const [bg, fg] = tty ? [1001, 1002] : [1003, 1004];
      t.send(`sleep ${bg} &\nsh -c 'sleep ${bg + 100} & wait' &\necho started\nsleep ${fg}\n`);
      await t.waitFor(/started/);
      await eventually(async () => (await processes(o.containerId)).some((p) => p === `sleep ${fg}`), BOUND_MS, 'the foreground sleep running');
      const before = await processes(o.containerId);
      for (const n of [bg, bg + 100, fg]) assert.ok(before.includes(`sleep ${n}`), `sleep ${n} runs before the close: ${before.join(' | ')}`);
      t.close();
      await eventually(async () => {
        const left = await processes(o.containerId);
        return !left.some((p) => /^sleep 10\d\d$|^sh -c sleep/.test(p)) && left;
      }, BOUND_MS, 'no sleep left in the container');
      const left = await processes(o.containerId);
      assert.ok(left.some((p) => p.startsWith('httpd')), `the container's own processes stay: ${left.join(' | ')}`);
    });
  }
});
