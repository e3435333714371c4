// The API keys page end to end in Debian's Chromium (playwright-core), against the real `tether
// server` process: an administrator is refused bad input next to its fields, creates a
// read-only key, sees its secret once (never after a reload), and the key works on the
// Kasm-compatible API for reading but not for writing; revoked in the UI, it is refused (401).
// An ordinary user has no such page in the navigation and gets the API's 403 at its URL.
// No Docker Engine is needed: get_images and create_user start no container.
// TETHER_SCREENSHOTS=1 also writes docs/screenshots/api-keys.png.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ADMIN_PASSWORD, freePort, login, REPO_ROOT, startTetherServer, type ServerProcess } from './helpers/tether-server.js';
import { ensureWebBuilt, launchBrowser, signIn, type TestBrowser } from './helpers/browser.js';

const SHOTS = process.env.TETHER_SCREENSHOTS ? join(REPO_ROOT, 'docs/screenshots') : null;

describe('API keys page end to end (Chromium, tether server)', () => {
  const run = randomUUID().slice(0, 8);
  const keyName = `portal-${run}`;
  const username = `plain-${run}`;
  const userPassword = 'plain-password-1234';
  let dataDir: string | undefined;
  let server: ServerProcess | undefined;
  let browser: TestBrowser | undefined;
  let key = '';
  let secret = '';

  /** one Kasm API call with HTTP Basic, as a Kasm client makes it */
  const kasm = async (endpoint: string, body: unknown = {}) => {
    const res = await fetch(`${server!.url}/api/public/${endpoint}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${key}:${secret}`).toString('base64')}` },
      body: JSON.stringify(body),
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };

  before(async () => {
    await ensureWebBuilt();
    dataDir = await mkdtemp(join(tmpdir(), 'tether-e2e-keys-'));
    server = await startTetherServer({ port: await freePort(), dataDir, database: join(dataDir, 'tether.db') });
    const token = await login(server.url);
    const res = await fetch(`${server.url}/api/v1/users`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ username, password: userPassword, groups: [] }),
    });
    assert.equal(res.status, 201, await res.text());
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.kill('SIGTERM');
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('administrator: bad input refused at its fields, a read-only key created, its secret shown once', async () => {
    const page = browser!.page;
    await signIn(page, server!.url, 'admin', ADMIN_PASSWORD);
    await page.getByRole('link', { name: 'API keys', exact: true }).click();
    await page.getByRole('heading', { name: 'API keys' }).waitFor();
    await page.getByText('No API keys.').waitFor();

    // hostile name, no permission, an expiry the server refuses: each problem under its own field
    await page.locator('#f-name').fill('bad name"; rm -rf /');
    await page.locator('#f-expires_in').fill('0');
    await page.getByRole('button', { name: 'Create API key' }).click();
    await page.locator('.field[data-field="name"] .field-error', { hasText: 'pattern' }).waitFor();
    await page.locator('.field[data-field="permissions"] .field-error').waitFor();
    await page.locator('.field[data-field="expires_in"] .field-error').waitFor();
    assert.equal(await page.locator('#f-name').inputValue(), 'bad name"; rm -rf /', 'nothing lost on a refused create');

    await page.locator('#f-name').fill(keyName);
    await page.locator('#f-expires_in').fill('30');
    await page.locator('input[name=permission-images]').check();
    await page.locator('input[name=permission-users]').check();
    await page.locator('#f-read_only').check();
    await page.getByRole('button', { name: 'Create API key' }).click();
    const once = page.getByRole('region', { name: 'new API key secret' });
    await once.getByText('Copy the secret now: it is not shown again.').waitFor();
    key = await once.locator('code.new-key').innerText();
    secret = await once.locator('code.new-secret').innerText();
    assert.match(key, /^[A-Za-z0-9]{12}$/);
    assert.match(secret, /^[A-Za-z0-9]{32}$/);
    assert.match(await once.locator('pre').innerText(), new RegExp(`curl -u '${key}:${secret}'[\\s\\S]*"api_key_secret":"${secret}"`), 'Basic and body usage');

    const row = page.locator(`.api-keys-table tr[data-name="${keyName}"]`);
    await row.waitFor();
    const cells = await row.locator('td').allInnerTexts();
    assert.equal(cells[0], keyName);
    assert.equal(cells[1], key);
    assert.equal(cells[2], 'images, users');
    assert.equal(cells[3], 'read-only');
    assert.notEqual(cells[5], 'never', 'the expiry is listed');
    assert.equal(cells[6], '—', 'not revoked');
    if (SHOTS) {
      await mkdir(SHOTS, { recursive: true });
      await page.screenshot({ path: join(SHOTS, 'api-keys.png'), fullPage: true });
    }

    // a duplicate name: the server's 409 under the name field
    await page.locator('#f-name').fill(keyName);
    await page.locator('input[name=permission-images]').check();
    await page.getByRole('button', { name: 'Create API key' }).click();
    await page.locator('.field[data-field="name"] .field-error').waitFor();
    assert.equal(await page.locator('.api-keys-table tbody tr').count(), 1, 'no second key');

    await page.reload();
    await row.waitFor();
    assert.equal(await page.getByRole('region', { name: 'new API key secret' }).count(), 0, 'no secret after a reload');
    assert.equal((await page.content()).includes(secret), false, 'the secret is nowhere on the page');
  });

  it('the key reads through the Kasm API, is refused a write (403), and after revoking in the UI is refused (401)', async () => {
    const images = await kasm('get_images');
    assert.equal(images.status, 200, JSON.stringify(images.json));
    assert.ok(Array.isArray(images.json.images), 'get_images answers images');
    const write = await kasm('create_user', { target_user: { username: `made-${run}` } });
    assert.equal(write.status, 403, JSON.stringify(write.json));
    assert.match(String(write.json.detail), /not read-only/);

    const page = browser!.page;
    const row = page.locator(`.api-keys-table tr[data-name="${keyName}"]`);
    page.once('dialog', (d) => void d.dismiss());
    await row.getByRole('button', { name: 'Revoke' }).click();
    assert.equal((await kasm('get_images')).status, 200, 'a dismissed confirmation revokes nothing');
    page.once('dialog', (d) => void d.accept());
    await row.getByRole('button', { name: 'Revoke' }).click();
    await page.getByText(`Revoked ${keyName}`).waitFor();
    await row.locator('td.revoked-at', { hasNotText: '—' }).waitFor();
    assert.equal(await row.getByRole('button', { name: 'Revoke' }).count(), 0, 'a revoked key cannot be revoked again');
    const refused = await kasm('get_images');
    assert.equal(refused.status, 401, JSON.stringify(refused.json));
    assert.equal(typeof refused.json.error_message, 'string');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.locator('form.sign-in').waitFor();
  });

  it('ordinary user: no API keys in the navigation, the API\'s 403 at its URL, no form', async () => {
    const page = browser!.page;
    await signIn(page, server!.url, username, userPassword);
    assert.equal(await page.getByRole('link', { name: 'API keys' }).count(), 0, 'not in a user\'s navigation');
    await page.goto(`${server!.url}/admin/api-keys`);
    await page.getByRole('alert').filter({ hasText: 'administrators only' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Create API key' }).count(), 0, 'no form for a user');
    assert.equal(await page.locator('.api-keys-table').count(), 0, 'no list for a user');
  });
});
