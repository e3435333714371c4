// The desktop workspace end to end: the real `tether server` process, the real Docker Engine,
// Debian's Chromium and the image tether/desktop:1 (scripts/lab/build-desktop-image.sh: built
// once per machine, keyed by its recipe's hash; a machine without it builds it here).
// - "Open desktop" on the session page opens noVNC through the per-session app proxy (its own
//   origin, the VNC WebSocket included), connected without a VNC password; the canvas shows
//   the desktop (pixels: many colours, the desktop's own background colour among them, not a
//   uniform or black screen), fills the window and follows its size (remote resize).
// - Keys typed in the browser reach a terminal on the desktop (Ctrl+Alt+T opens it) and write
//   into /share: the file is on the host, owned by 1000:1000. The desktop has a link per
//   mounted folder, the read-only one marked and really read-only. Firefox runs in the session
//   and saves into /share too.
// - Another user cannot open this session's desktop (no entry link, and the origin answers 401
//   to page and WebSocket alike); destroy + relaunch: the file is there and linked again.
// TETHER_SCREENSHOTS=1 writes docs/screenshots/desktop.png.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { dockerClient, execIn, removeLabelled } from './helpers/docker.js';
import { freePort, login, REPO_ROOT, startTetherServer, type ServerProcess } from './helpers/tether-server.js';
import { launchBrowser, signIn, type TestBrowser } from './helpers/browser.js';
import { eventually } from './helpers/sessions.js';
import { runLabScript } from './helpers/lab.js';
import { ensureDemoStack, launchAndWait, stopServer } from './proxy-lab.js';
import { makeApi, type Api } from './helpers/http-api.js';
import { DESKTOP_IMAGE, desktopAnswers, openDesktop as openDesktopPage } from './helpers/desktop.js';

const docker = dockerClient();
const SHOTS = process.env.TETHER_SCREENSHOTS ? join(REPO_ROOT, 'docs/screenshots') : null;
/** pcmanfm's desktop colour set by desktop/setup-root.sh (#2d4a63) */
const DESKTOP_BG = [0x2d, 0x4a, 0x63];

interface CanvasLook { width: number; height: number; colours: number; background: number; darkest: number }

/** What noVNC's canvas shows: size, distinct colours on a grid, share of the desktop colour. */
function look(page: Page): Promise<CanvasLook | null> {
  return page.evaluate((bg) => {
    const canvas = document.querySelector<HTMLCanvasElement>('#noVNC_container canvas');
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx || canvas.width < 2 || canvas.height < 2) return null;
    const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
    const colours = new Set<number>();
    let background = 0;
    let darkest = 0;
    let samples = 0;
    for (let y = 0; y < canvas.height; y += 4) {
      for (let x = 0; x < canvas.width; x += 4) {
        const i = (y * canvas.width + x) * 4;
        const [r, g, b] = [data[i]!, data[i + 1]!, data[i + 2]!];
        colours.add((r << 16) | (g << 8) | b);
        if (r === bg[0] && g === bg[1] && b === bg[2]) background++;
        if (r + g + b < 16) darkest++;
        samples++;
      }
    }
    return { width: canvas.width, height: canvas.height, colours: colours.size, background: background / samples, darkest: darkest / samples };
  }, DESKTOP_BG);
}

describe('desktop workspace (Chromium, noVNC through the app proxy, tether server, Docker Engine)', { timeout: 600_000 }, () => {
  const run = randomUUID().slice(0, 8);
  const root = `/srv/tether-desktop-${run}`;
  const share = `${root}/share`;
  const reference = `${root}/reference`;
  const password = 'desktop-password-1234';
  let dataDir: string | undefined;
  let server: ServerProcess | undefined;
  let port = 0;
  let browser: TestBrowser | undefined;
  let bobsBrowser: TestBrowser | undefined;
  let alice: Api;
  let bob: Api;
  const sessions: string[] = [];
  let first = '';

  before(async () => {
    await ensureDemoStack(); // engine, web UI build
    await runLabScript('build-desktop-image.sh');
    await mkdir(share, { recursive: true });
    await mkdir(reference, { recursive: true });
    await writeFile(join(reference, 'readme.txt'), 'reference material\n');
    dataDir = await mkdtemp(join(tmpdir(), 'tether-desktop-'));
    port = await freePort();
    server = await startTetherServer({ port, dataDir, database: join(dataDir, 'tether.db') });
    const admin = makeApi(server.url, await login(server.url));
    const created = await admin('POST', '/images', {
      name: `desktop-${run}`, docker_image: DESKTOP_IMAGE, user: '1000:1000', web_port: 6901, cores: 2, memory: 2 * 1024 ** 3,
      volume_mappings: {
        [share]: { bind: '/share', mode: 'rw', uid: 1000, gid: 1000 },
        [reference]: { bind: '/reference', mode: 'ro' },
      },
    });
    assert.equal(created.status, 201, created.text);
    for (const u of ['alice', 'bob']) assert.equal((await admin('POST', '/users', { username: `${u}-${run}`, password })).status, 201);
    alice = makeApi(server.url, await login(server.url, `alice-${run}`, password));
    bob = makeApi(server.url, await login(server.url, `bob-${run}`, password));
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await bobsBrowser?.close();
    await stopServer(server);
    for (const id of sessions) await removeLabelled(docker, `tether.session=${id}`);
    await rm(root, { recursive: true, force: true });
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  async function launch(api: Api): Promise<string> {
    const id = await launchAndWait(api, `desktop-${run}`);
    sessions.push(id);
    return id;
  }

  async function containerOf(id: string): Promise<string> {
    return ((await alice('GET', `/sessions/${id}`)).json as { container_id: string }).container_id;
  }

  /** "Open desktop" on the session page; the noVNC page once it shows the desktop. */
  async function openDesktop(id: string): Promise<Page> {
    await desktopAnswers(docker, await containerOf(id));
    return openDesktopPage(browser!, server!.url, port, id);
  }

  it('opens the desktop in the browser: noVNC through the app proxy, a real desktop that fills and follows the window', async () => {
    await signIn(browser!.page, server!.url, `alice-${run}`, password);
    first = await launch(alice);
    const desktop = await openDesktop(first);
    // the panel, the icons and their labels drawn on the desktop's colour: not blank, not an error screen
    const shown = await eventually(async () => {
      const l = await look(desktop);
      return l && l.colours >= 16 && l.background > 0.3 && l.darkest < 0.5 ? l : null;
    }, 30_000, 'the desktop drawn on the noVNC canvas');
    const viewport = desktop.viewportSize()!;
    assert.deepEqual([shown.width, shown.height], [viewport.width, viewport.height], 'the remote screen was resized to the window');
    await desktop.setViewportSize({ width: 1024, height: 700 });
    await eventually(async () => {
      const l = await look(desktop);
      return l?.width === 1024 && l.height === 700;
    }, 20_000, 'the remote screen following the window to 1024x700');
    await desktop.setViewportSize(viewport);
    await eventually(async () => (await look(desktop))?.width === viewport.width, 20_000, 'the remote screen back to the window size');
  });

  it('keys typed in the browser reach a terminal on the desktop; its file lands in /share on the host as 1000:1000', async () => {
    const desktop = browser!.context.pages().find((p) => p.url().includes(`s-${first}.localhost`))!;
    const container = await containerOf(first);
    // a click on the canvas gives noVNC the keyboard; Ctrl+Alt+T is the desktop's terminal key
    await desktop.mouse.click(600, 300);
    await desktop.keyboard.press('Control+Alt+t');
    await eventually(async () => (await execIn(docker, container, ['pgrep', '-u', '1000', '-x', 'xterm'])).code === 0, 20_000, 'an xterm on the desktop');
    await eventually(async () => {
      const l = await look(desktop);
      return l !== null && l.background < 0.9 ? true : null; // the window now covers part of the desktop
    }, 10_000, 'the terminal window drawn');
    const line = `echo typed-in-the-desktop-${run} > /share/from-desktop.txt; ls ~/Desktop > /share/links.txt; `
      + `touch /reference/x 2>/dev/null && echo writable > /share/ro.txt || echo refused > /share/ro.txt`;
    await desktop.keyboard.type(line, { delay: 5 });
    await desktop.keyboard.press('Enter');
    const written = join(share, 'from-desktop.txt');
    await eventually(async () => (await readFile(written, 'utf8').catch(() => '')) === `typed-in-the-desktop-${run}\n`, 20_000, 'the typed command\'s file on the host');
    const st = await stat(written);
    assert.deepEqual([st.uid, st.gid], [1000, 1000], 'owned by 1000:1000, as the mapping asks');
    await eventually(async () => (await readFile(join(share, 'ro.txt'), 'utf8').catch(() => '')) !== '', 10_000, 'the read-only probe');
    assert.equal(await readFile(join(share, 'ro.txt'), 'utf8'), 'refused\n', 'the read-only mapping is read-only on the desktop');
    assert.deepEqual((await readFile(join(share, 'links.txt'), 'utf8')).trim().split('\n').sort(), ['reference (read-only)', 'share'], 'one desktop link per mounted folder');
    // the file manager's bookmarks name them too
    const bookmarks = await execIn(docker, container, ['cat', '/home/user/.config/gtk-3.0/bookmarks'], '1000:1000');
    assert.match(bookmarks.output, /^file:\/\/\/share share$/m);
    assert.match(bookmarks.output, /^file:\/\/\/reference reference \(read-only\)$/m);
    if (SHOTS) {
      await mkdir(SHOTS, { recursive: true });
      await desktop.screenshot({ path: join(SHOTS, 'desktop.png') });
    }
  });

  it('runs Firefox in the session under its confinement; what it saves into /share is on the host as 1000:1000', async () => {
    const container = await containerOf(first);
    const shot = await execIn(docker, container, ['timeout', '90', 'firefox-esr', '--headless', '--screenshot', '/share/firefox.png', 'file:///reference/readme.txt'], '1000:1000');
    const png = await stat(join(share, 'firefox.png')).catch(() => null);
    assert.ok(png && png.size > 1000, `firefox saved a screenshot into /share (exit ${shot.code}): ${shot.output.slice(-2000)}`);
    assert.deepEqual([png.uid, png.gid], [1000, 1000]);
  });

  it('another user cannot open this session\'s desktop: no entry link, 401 for the page and the VNC WebSocket', async () => {
    assert.equal((await bob('POST', `/sessions/${first}/app-token`)).status, 404);
    bobsBrowser = await launchBrowser();
    await signIn(bobsBrowser.page, server!.url, `bob-${run}`, password);
    const origin = `http://s-${first}.localhost:${port}`;
    const res = await bobsBrowser.page.goto(`${origin}/vnc.html?autoconnect=1`);
    assert.equal(res?.status(), 401);
    const ws = await bobsBrowser.page.evaluate(async (url) => new Promise<string>((resolve) => {
      const sock = new WebSocket(url);
      sock.onopen = () => resolve('open');
      sock.onerror = () => resolve('refused');
    }), `ws://s-${first}.localhost:${port}/websockify`);
    assert.equal(ws, 'refused');
  });

  it('destroy and relaunch: the file written from the desktop is there, and linked on the new desktop', async () => {
    assert.equal((await alice('DELETE', `/sessions/${first}`)).status, 202);
    await eventually(async () => (await alice('GET', `/sessions/${first}`)).json.state === 'destroyed', 60_000, 'destroyed');
    const second = await launch(alice);
    const container = await containerOf(second);
    const read = await eventually(async () => {
      const r = await execIn(docker, container, ['cat', '/home/user/Desktop/share/from-desktop.txt'], '1000:1000');
      return r.code === 0 ? r : null;
    }, 20_000, 'the file through the new desktop\'s share link');
    assert.equal(read.output.trim(), `typed-in-the-desktop-${run}`);
    const desktop = await openDesktop(second);
    await eventually(async () => ((await look(desktop))?.colours ?? 0) >= 16, 30_000, 'the relaunched desktop drawn');
  });
});
