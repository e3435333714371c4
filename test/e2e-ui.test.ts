// The web UI end to end in Debian's Chromium (playwright-core), against the real `tether
// server` process and the real Docker Engine: an administrator signs in, is refused an
// invalid mapping (marked at its line, client side; and a policy refusal from the server at
// its line), pastes Kasm's example into a new image, creates a user, checks the effective
// mounts and the audit log; the user signs in, launches, sees the progress and the mounted
// share, and destroys the session. TETHER_SCREENSHOTS=1 also writes docs/screenshots/*.png.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { dockerClient, ensureDocker, execIn, removeLabelled, TEST_IMAGE } from './helpers/docker.js';
import { ADMIN_PASSWORD, freePort, login, REPO_ROOT, startTetherServer, type ServerProcess } from './helpers/tether-server.js';
import { ensureWebBuilt, launchBrowser, signIn, type TestBrowser } from './helpers/browser.js';
import { eventually } from './helpers/sessions.js';

const docker = dockerClient();
const SHOTS = process.env.TETHER_SCREENSHOTS ? join(REPO_ROOT, 'docs/screenshots') : null;

async function shot(page: Page, name: string): Promise<void> {
  if (!SHOTS) return;
  await mkdir(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`) });
}

describe('web UI end to end (Chromium, tether server, Docker Engine)', () => {
  const run = randomUUID().slice(0, 8);
  const folder = `/srv/tether-e2e-${run}`;
  /** never created: the optional group mapping under it is left out with a warning */
  const missing = `/srv/tether-e2e-${run}-missing`;
  const imageName = `desktop-${run}`;
  const username = `e2e-${run}`;
  const userPassword = 'e2e-password-1234';
  let dataDir: string | undefined;
  let server: ServerProcess | undefined;
  let browser: TestBrowser | undefined;
  let sessionId: string | undefined;

  before(async () => {
    await Promise.all([ensureDocker(), ensureWebBuilt()]);
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, 'hello.txt'), `host data ${run}\n`);
    dataDir = await mkdtemp(join(tmpdir(), 'tether-e2e-'));
    server = await startTetherServer({ port: await freePort(), dataDir, database: join(dataDir, 'tether.db') });
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    // every session this server launched (even one whose page never opened): its container goes
    const sessionIds = new Set(sessionId ? [sessionId] : []);
    if (server) {
      try {
        const token = await login(server.url);
        const res = await fetch(`${server.url}/api/v1/sessions`, { headers: { authorization: `Bearer ${token}` } });
        for (const s of (await res.json()) as Array<{ id: string }>) sessionIds.add(s.id);
      } catch {
        // the server is down: the session id from the page is all we know
      }
    }
    await server?.kill('SIGTERM');
    for (const id of sessionIds) await removeLabelled(docker, `tether.session=${id}`);
    await rm(folder, { recursive: true, force: true });
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('is served by tether server: SPA fallback for deep links, JSON 404 under /api', async () => {
    const deep = await fetch(`${server!.url}/admin/images/whatever`);
    assert.equal(deep.status, 200);
    assert.match(deep.headers.get('content-type') ?? '', /text\/html/);
    assert.match(await deep.text(), /<div id="root">/);
    const api404 = await fetch(`${server!.url}/api/v1/no-such-route`);
    assert.equal(api404.status, 404);
    assert.match((await api404.json() as { message: string }).message, /not found/);
    assert.equal((await fetch(`${server!.url}/assets/..%2f..%2fpackage.json`)).headers.get('content-type')?.includes('json'), false, 'no escape from web/dist');
  });

  it('administrator: invalid mapping refused at its line, Kasm example accepted, user created, mounts and audit shown', async () => {
    const page = browser!.page;
    await page.goto(`${server!.url}/`);
    await page.locator('form.sign-in').waitFor();
    await shot(page, 'sign-in');
    await signIn(page, server!.url, 'admin', ADMIN_PASSWORD);
    await page.getByRole('heading', { name: 'Images' }).waitFor();

    await page.getByRole('link', { name: 'New image' }).click();
    await page.locator('#f-name').fill(imageName);
    await page.locator('#f-docker_image').fill(TEST_IMAGE);
    const editor = page.locator('#f-volume_mappings');
    // client side, as you type: the server's own rules and messages, at their lines
    await editor.fill(`{\n  "${folder}": {\n    "bind": "/share",\n    "uid": "1000",\n    "requird": true\n  }\n}`);
    await page.locator('.problem[data-line="4"]', { hasText: 'got the string "1000"; expected an integer' }).waitFor();
    await page.locator('.problem[data-line="5"]', { hasText: 'did you mean "required"?' }).waitFor();
    await page.locator('.gutter .bad[data-line="4"]').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Save' }).isDisabled(), true, 'an invalid document cannot be saved');
    await shot(page, 'image-editor-error');

    // server side: a path the host-path policy refuses comes back next to its line; the text stays
    const refused = `{\n  "/etc/tether-e2e-${run}": { "bind": "/x" }\n}`;
    await editor.fill(refused);
    await page.getByRole('button', { name: 'Save' }).click();
    await page.locator('.problem[data-line="2"]', { hasText: '/etc' }).waitFor();
    assert.equal(await editor.inputValue(), refused, 'nothing lost on a failed save');
    assert.equal(await page.locator('#f-name').inputValue(), imageName);

    // Kasm's example (its host folder per run), pasted: accepted
    await editor.fill(`{ "${folder}": { "bind": "/share", "mode": "rw", "uid": 1000, "gid": 1000, "required": true } }`);
    await page.locator('.problems .ok').waitFor();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { name: 'Images' }).waitFor();
    await page.locator('.images-table tr', { hasText: imageName }).waitFor();
    await page.locator('.images-table tr', { hasText: folder }).waitFor();
    await shot(page, 'images');

    // a group setting with the same editor: an optional share whose folder does not exist
    await page.getByRole('link', { name: 'Groups', exact: true }).click();
    await page.getByRole('link', { name: 'All Users', exact: true }).click();
    const groupEditor = page.locator('[id="f-settings.volume_mappings"]');
    await groupEditor.fill(`{\n  "${missing}/{username}": { "bind": "/optional", "required": false }\n}`);
    await page.locator('.problems .ok').waitFor();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved').waitFor();
    await shot(page, 'group-editor');

    await page.getByRole('link', { name: 'Users', exact: true }).click();
    await page.locator('#f-username').fill(username);
    await page.locator('#f-password').fill(userPassword);
    await page.getByRole('button', { name: 'Create user' }).click();
    await page.locator('.users-table td', { hasText: new RegExp(`^${username}$`) }).waitFor();

    await page.getByRole('link', { name: 'Effective mounts', exact: true }).click();
    await page.locator('select[name=user]').selectOption(username);
    await page.locator('select[name=image]').selectOption(imageName);
    const row = page.locator('.mounts-table tbody tr', { hasText: '/share' });
    await row.waitFor();
    assert.match(await row.innerText(), new RegExp(`${folder}[\\s\\S]*rw[\\s\\S]*1000:1000[\\s\\S]*image "${imageName}"`));
    await page.locator('.mounts-table tbody tr', { hasText: '/optional' }).filter({ hasText: 'group "All Users" (priority 1000)' }).waitFor();
    await shot(page, 'effective-mounts');

    await page.getByRole('link', { name: 'Audit log', exact: true }).click();
    await page.locator('.audit-table td', { hasText: 'image.create' }).first().waitFor();
    await page.locator('input[name=action]').fill('user.create');
    await page.getByRole('button', { name: 'Filter' }).click();
    await eventually(async () => {
      const actions = await page.locator('.audit-table td code').allInnerTexts();
      return actions.length > 0 && actions.every((a) => a === 'user.create');
    }, 10_000, 'audit filtered to user.create');
    await shot(page, 'audit');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.locator('form.sign-in').waitFor();
  });

  it('user: launches with live progress, sees the mounted share, destroys the session', async () => {
    const page = browser!.page;
    await signIn(page, server!.url, username, userPassword);
    assert.equal(await page.getByRole('link', { name: 'Users' }).count(), 0, 'no administrator navigation for a user');
    const tile = page.locator(`.tile[data-image="${imageName}"]`);
    await tile.waitFor();
    await shot(page, 'launch');
    await tile.getByRole('button', { name: 'Launch' }).click();
    await page.waitForURL(/\/sessions\/[0-9a-f-]{36}$/);
    sessionId = page.url().split('/').pop();
    await page.locator('[data-state="running"]').waitFor({ timeout: 60_000 });
    await page.locator('.events li[data-type="mapping.checked"]', { hasText: '/share' }).waitFor();
    await page.locator('.events li[data-type="container.started"]').waitFor();
    await page.locator('.mounts-table tbody tr', { hasText: folder }).waitFor();
    // the optional share was left out: a warning on the stream and on the session
    await page.locator('.events li[data-type="mapping.failed"]', { hasText: '/optional' }).waitFor();
    await page.locator('.warnings li', { hasText: 'missing' }).waitFor();
    assert.equal(await page.locator('.mounts-table tbody tr', { hasText: '/optional' }).count(), 0, 'the left-out share is not listed as mounted');
    await shot(page, 'session');

    const containers = await docker.listContainers({ filters: { label: [`tether.session=${sessionId}`] } });
    assert.equal(containers.length, 1, 'one running container for the session');
    const seen = await execIn(docker, containers[0]!.Id, ['cat', '/share/hello.txt']);
    assert.equal(seen.output.trim(), `host data ${run}`, 'the share is mounted in the container');

    await page.getByRole('button', { name: 'Destroy' }).click();
    await page.locator('[data-state="destroyed"]').waitFor({ timeout: 30_000 });
    await eventually(async () => (await docker.listContainers({ all: true, filters: { label: [`tether.session=${sessionId}`] } })).length === 0, 15_000, 'container removed');
    await page.getByRole('link', { name: 'My sessions', exact: true }).click();
    await page.getByText('No sessions.').waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.locator('form.sign-in').waitFor();
  });

  it('administrator: all sessions, with their user, mounts and warnings', async () => {
    const page = browser!.page;
    await signIn(page, server!.url, 'admin', ADMIN_PASSWORD);
    await page.getByRole('link', { name: 'All sessions', exact: true }).click();
    await page.getByText('No sessions.').waitFor();
    await page.getByLabel('show ended').check();
    const row = page.locator('.sessions-table tbody tr', { hasText: username });
    await row.waitFor();
    assert.match(await row.innerText(), new RegExp(`${imageName}[\\s\\S]*destroyed[\\s\\S]*/share[\\s\\S]*missing`));
    await shot(page, 'all-sessions');
  });
});
