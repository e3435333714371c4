// Persistent profiles in the web UI, in Debian's Chromium (playwright-core) against the real
// `tether server` process, the real Docker Engine and real host folders:
// - a user whose group allows profiles sees the three modes on the launch tile of an image
//   with a profile path; Reset asks first (dismissed: nothing launched, nothing deleted;
//   accepted: the session runs on a freshly seeded profile: the old content gone on the host,
//   the image's home files there, owned by the session user);
// - a user whose groups do not allow profiles sees no selector, only that the home is fresh.
// TETHER_SCREENSHOTS=1 writes docs/screenshots/launch-profile.png.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { chown, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dockerClient, ensureDocker, removeLabelled, TEST_IMAGE } from './helpers/docker.js';
import { freePort, login, REPO_ROOT, startTetherServer, type ServerProcess } from './helpers/tether-server.js';
import { ensureWebBuilt, launchBrowser, signIn, type TestBrowser } from './helpers/browser.js';
import { makeApi } from './helpers/http-api.js';
import { stopServer } from './proxy-lab.js';

const docker = dockerClient();
const run = promisify(execFile);
const SHOTS = process.env.TETHER_SCREENSHOTS ? join(REPO_ROOT, 'docs/screenshots') : null;

describe('persistent profiles in the web UI (Chromium, tether server, Docker Engine)', { timeout: 240_000 }, () => {
  const id = randomUUID().slice(0, 8);
  const prefix = `/srv/tether-ui-profiles-${id}`;
  const seedImage = `tether-test/ui-profile-seed:${id}`;
  const imageName = `notes-${id}`;
  const carol = `carol-${id}`;
  const dave = `dave-${id}`;
  const password = 'ui-profile-password';
  const profile = join(prefix, carol);
  let dataDir: string | undefined;
  let server: ServerProcess | undefined;
  let browser: TestBrowser | undefined;
  let token = '';

  before(async () => {
    await Promise.all([ensureDocker(), ensureWebBuilt()]);
    // an image whose own home has a default file: a new or reset profile is seeded with it
    const c = await docker.createContainer({ Image: TEST_IMAGE, Cmd: ['sh', '-c', 'mkdir -p /home/user && echo "image default" > /home/user/seeded.txt'] });
    await c.start();
    await c.wait();
    await run('docker', ['commit', '--change', 'CMD ["sleep", "1000000"]', c.id, seedImage]);
    await c.remove();
    await mkdir(prefix, { recursive: true });
    dataDir = await mkdtemp(join(tmpdir(), 'tether-ui-profiles-'));
    server = await startTetherServer({ port: await freePort(), dataDir, database: join(dataDir, 'tether.db') });
    token = await login(server.url);
    const admin = makeApi(server.url, token);
    assert.equal((await admin('POST', '/groups', { name: `profiles-${id}`, priority: 50, settings: { allow_persistent_profile: true } })).status, 201);
    const img = await admin('POST', '/images', { name: imageName, friendly_name: `Notes ${id}`, docker_image: seedImage, user: '1000:1000', persistent_profile_path: `${prefix}/{username}` });
    assert.equal(img.status, 201, img.text);
    assert.equal((await admin('POST', '/users', { username: carol, password, groups: [`profiles-${id}`] })).status, 201);
    assert.equal((await admin('POST', '/users', { username: dave, password })).status, 201);
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    const sessions = server ? ((await makeApi(server.url, token)('GET', '/sessions').catch(() => ({ json: [] }))).json as Array<{ id: string }>) : [];
    await stopServer(server);
    for (const s of sessions) await removeLabelled(docker, `tether.session=${s.id}`);
    await docker.getImage(seedImage).remove({ force: true }).catch(() => undefined);
    await rm(prefix, { recursive: true, force: true });
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('allowed: the tile offers Enabled, Disabled and Reset; Reset asks first, then the session runs on a freshly seeded profile', async () => {
    // carol's stored profile from earlier sessions
    await mkdir(join(profile, '.cache'), { recursive: true });
    await writeFile(join(profile, 'old-notes.txt'), 'old');
    await writeFile(join(profile, '.cache', 'junk'), 'junk');
    for (const p of [profile, join(profile, '.cache'), join(profile, 'old-notes.txt'), join(profile, '.cache', 'junk')]) await chown(p, 1000, 1000);

    const page = browser!.page;
    await signIn(page, server!.url, carol, password);
    const tile = page.locator(`.tile[data-image="${imageName}"]`);
    const select = tile.locator('select[name=persistent_profile_mode]');
    await select.waitFor();
    assert.deepEqual(await select.locator('option').allInnerTexts(), ['Enabled: my profile', 'Disabled: a throw-away home', 'Reset: delete it, start afresh']);
    assert.equal(await select.inputValue(), 'enabled', 'Enabled is the default');
    await select.selectOption('reset');
    if (SHOTS) {
      await mkdir(SHOTS, { recursive: true });
      await page.screenshot({ path: join(SHOTS, 'launch-profile.png') });
    }

    // dismissed: nothing launched, nothing deleted
    const asked: string[] = [];
    page.once('dialog', (d) => { asked.push(d.message()); void d.dismiss(); });
    await tile.getByRole('button', { name: 'Launch' }).click();
    await page.waitForTimeout(500); // a launch would navigate; give it the chance to (wrongly) happen
    assert.match(asked[0] ?? '', new RegExp(`Delete everything in your Notes ${id} profile\\? This cannot be undone\\.`));
    assert.equal(new URL(page.url()).pathname, '/launch', 'still on the launch page');
    assert.deepEqual((await makeApi(server!.url, token)('GET', '/sessions')).json, [], 'no session was launched');
    assert.equal(await readFile(join(profile, 'old-notes.txt'), 'utf8'), 'old');

    // accepted: the session launches with Reset
    page.once('dialog', (d) => void d.accept());
    await tile.getByRole('button', { name: 'Launch' }).click();
    await page.waitForURL(/\/sessions\/[0-9a-f-]{36}$/);
    await page.locator('[data-state="running"]').waitFor({ timeout: 60_000 });
    await page.locator('.mounts-table tbody tr', { hasText: profile }).filter({ hasText: '/home/user' }).waitFor();
    assert.deepEqual((await readdir(profile)).sort(), ['seeded.txt'], 'the old content is gone, the image\'s home seeded afresh');
    assert.equal(await readFile(join(profile, 'seeded.txt'), 'utf8'), 'image default\n');
    const st = await stat(join(profile, 'seeded.txt'));
    assert.deepEqual([st.uid, st.gid], [1000, 1000]);

    await page.getByRole('button', { name: 'Destroy' }).click();
    await page.locator('[data-state="destroyed"]').waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.locator('form.sign-in').waitFor();
  });

  it('not allowed: no selector on the tile, only that the home is fresh each time', async () => {
    const page = browser!.page;
    await signIn(page, server!.url, dave, password);
    const tile = page.locator(`.tile[data-image="${imageName}"]`);
    await tile.getByText('A fresh home each time (no persistent profile for you)').waitFor();
    assert.equal(await tile.locator('select').count(), 0, 'no profile modes offered');
    assert.equal(await tile.getByRole('button', { name: 'Launch' }).isEnabled(), true);
    await page.getByRole('button', { name: 'Sign out' }).click();
  });
});
