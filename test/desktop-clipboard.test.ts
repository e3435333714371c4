// Copy and paste between the browser and the desktop, the way noVNC allows it without the
// browser's clipboard permissions: its clipboard box (control bar on the left edge, clipboard
// button). The real `tether server`, Docker Engine, Debian's Chromium and tether/desktop:1.
// - browser -> desktop: text typed into noVNC's clipboard box becomes the desktop's clipboard
//   (Xtigervnc sets CLIPBOARD and PRIMARY); Shift+Insert pastes it into the desktop's xterm,
//   which writes it into /share: the file on the host has exactly that text.
// - desktop -> browser: a program on the desktop takes the X clipboard (xclip, as uid 1000 on
//   display :1); the text shows up in noVNC's clipboard box.
// Both texts carry several lines, quotes, shell characters and non-ASCII letters.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { dockerClient, execIn, removeLabelled } from './helpers/docker.js';
import { freePort, login, startTetherServer, type ServerProcess } from './helpers/tether-server.js';
import { launchBrowser, signIn, type TestBrowser } from './helpers/browser.js';
import { eventually } from './helpers/sessions.js';
import { runLabScript } from './helpers/lab.js';
import { ensureDemoStack, launchAndWait, stopServer } from './proxy-lab.js';
import { makeApi } from './helpers/http-api.js';
import { DESKTOP_IMAGE, desktopAnswers, openDesktop } from './helpers/desktop.js';

const docker = dockerClient();

/** Opens noVNC's control bar and its clipboard panel, as a user clicks them; the clipboard box. */
async function clipboardBox(desktop: Page) {
  // both slide in and out (the bar closes by itself): their state is their class, not their visibility
  const isOpen = (selector: string) => desktop.locator(selector).evaluate((e) => e.classList.contains('noVNC_open'));
  if (!(await isOpen('#noVNC_control_bar'))) await desktop.locator('#noVNC_control_bar_handle').click();
  if (!(await isOpen('#noVNC_clipboard'))) await desktop.locator('#noVNC_clipboard_button').click();
  const box = desktop.locator('#noVNC_clipboard_text');
  await box.waitFor({ state: 'visible' });
  return box;
}

describe('desktop clipboard (Chromium, noVNC\'s clipboard box, tether server, Docker Engine)', { timeout: 600_000 }, () => {
  const run = randomUUID().slice(0, 8);
  const root = `/srv/tether-desktop-clip-${run}`;
  const share = `${root}/share`;
  const password = 'clipboard-password-1234';
  let dataDir: string | undefined;
  let server: ServerProcess | undefined;
  let port = 0;
  let browser: TestBrowser | undefined;
  let session = '';
  let container = '';
  let desktop: Page;

  before(async () => {
    await ensureDemoStack(); // engine, web UI build
    await runLabScript('build-desktop-image.sh');
    await mkdir(share, { recursive: true });
    dataDir = await mkdtemp(join(tmpdir(), 'tether-desktop-clip-'));
    port = await freePort();
    server = await startTetherServer({ port, dataDir, database: join(dataDir, 'tether.db') });
    const admin = makeApi(server.url, await login(server.url));
    const created = await admin('POST', '/images', {
      name: `desktop-clip-${run}`, docker_image: DESKTOP_IMAGE, user: '1000:1000', web_port: 6901, cores: 2, memory: 2 * 1024 ** 3,
      volume_mappings: { [share]: { bind: '/share', mode: 'rw', uid: 1000, gid: 1000 } },
    });
    assert.equal(created.status, 201, created.text);
    assert.equal((await admin('POST', '/users', { username: `carol-${run}`, password })).status, 201);
    const carol = makeApi(server.url, await login(server.url, `carol-${run}`, password));
    browser = await launchBrowser();
    await signIn(browser.page, server.url, `carol-${run}`, password);
    session = await launchAndWait(carol, `desktop-clip-${run}`);
    container = ((await carol('GET', `/sessions/${session}`)).json as { container_id: string }).container_id;
    await desktopAnswers(docker, container);
    desktop = await openDesktop(browser, server.url, port, session);
  });

  after(async () => {
    await browser?.close();
    await stopServer(server);
    if (session) await removeLabelled(docker, `tether.session=${session}`);
    await rm(root, { recursive: true, force: true });
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('browser -> desktop: text put into noVNC\'s clipboard box is pasted into the desktop\'s terminal (Shift+Insert)', async () => {
    const text = `pasted from the browser ${run}\nsecond line: "quoted" 'single' $HOME \`id\` ; touch /share/ran # ü ß € ✓`;
    // A terminal on the desktop running cat: it copies what is pasted verbatim (nothing of the
    // text can run) and ends at Ctrl+D. Before cat, one typed line goes to ready.txt: proof that
    // keys reach this terminal. Placed at a known spot so that a click there gives it the
    // keyboard (Ctrl+Alt+T, tested elsewhere, lets the window manager place it).
    const terminal = execIn(docker, container, ['env', 'DISPLAY=:1', 'xterm', '-geometry', '80x12+40+40', '-e',
      'sh', '-c', 'head -n 1 > /share/ready.txt && exec cat > /share/pasted.txt'], '1000:1000');
    await eventually(async () => (await execIn(docker, container, ['pgrep', '-u', '1000', '-x', 'head'])).code === 0, 20_000, 'an xterm on the desktop');

    // the user's way: the control bar's clipboard button, the box, then back to the desktop
    const box = await clipboardBox(desktop);
    await box.fill(text);
    await box.dispatchEvent('change'); // what leaving the box does; noVNC sends the text then
    await desktop.locator('#noVNC_clipboard_button').click(); // closes the panel
    await eventually(async () => {
      const got = await execIn(docker, container, ['env', 'DISPLAY=:1', 'xclip', '-selection', 'clipboard', '-o'], '1000:1000');
      return got.code === 0 && got.output === text;
    }, 10_000, 'the text as the desktop\'s X clipboard');

    // The window manager focuses the terminal when its click arrives, and xterm handles that
    // click as the start of a selection: a key pressed at once may go elsewhere or find the
    // terminal mid-selection. A typed line reaching ready.txt (its first keys may
    // be lost, its Enter is enough) shows both are done.
    await desktop.mouse.click(200, 120);
    await desktop.keyboard.type('ready');
    await desktop.keyboard.press('Enter');
    await eventually(async () => (await readFile(join(share, 'ready.txt'), 'utf8').catch(() => '')).endsWith('\n'), 10_000, 'the typed line in ready.txt (the terminal has the keyboard)');
    await eventually(async () => (await execIn(docker, container, ['pgrep', '-u', '1000', '-x', 'cat'])).code === 0, 10_000, 'cat waiting in the terminal');
    await desktop.keyboard.press('Shift+Insert');
    await desktop.keyboard.press('Enter');
    await desktop.keyboard.press('Control+d');
    const pasted = join(share, 'pasted.txt');
    await eventually(async () => (await execIn(docker, container, ['pgrep', '-u', '1000', '-x', 'cat'])).code !== 0, 10_000, 'cat ended by Ctrl+D');
    const ended = await terminal; // its xterm ended with it
    assert.equal(ended.code, 0, ended.output);
    assert.equal(await readFile(pasted, 'utf8'), `${text}\n`, 'the pasted text, byte for byte, in /share on the host');
    assert.equal(await stat(join(share, 'ran')).catch(() => null), null, 'nothing of the pasted text was run');
  });

  it('desktop -> browser: text a desktop program copies shows up in noVNC\'s clipboard box', async () => {
    const text = `copied on the desktop ${run}\n"quoted" <b>not html</b> & ü ß € ✓`;
    const box = await clipboardBox(desktop);
    assert.notEqual(await box.inputValue(), text);
    // xclip keeps serving the selection in the background: its output goes nowhere, so the exec returns
    const copied = await execIn(docker, container, ['env', 'DISPLAY=:1', 'sh', '-c', 'printf %s "$1" | xclip -selection clipboard -i >/dev/null 2>&1', 'sh', text], '1000:1000');
    assert.equal(copied.code, 0, copied.output);
    await eventually(async () => (await box.inputValue()) === text, 10_000, 'the desktop\'s clipboard in noVNC\'s clipboard box');
  });
});
