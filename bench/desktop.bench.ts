// The desktop workspace (tether/desktop:1) against the demo workspace, in the same run, on
// the real `tether server`, Docker Engine and Chromium:
//   (a) time from the launch request (POST /api/v1/sessions) to the first non-blank frame of
//       the desktop in the browser (noVNC canvas with the desktop drawn), vs launch request to
//       the demo app's first page (its file tree shown); medians over RUNS launches of each,
//       interleaved. Both go the user's way: session running -> entry link -> app origin;
//       while the app's port is not listening yet the proxy answers 502 and the page is
//       loaded again 200 ms later (what a user pressing reload would do).
//   (b) an idle desktop session's memory and CPU (`docker stats`, median of SAMPLES) after
//       IDLE_S seconds: with the viewer connected, after the viewer left, then with Firefox
//       open on a blank page; the idle demo's for comparison; sessions per GB of RAM.
// Run: node --import tsx bench/desktop.bench.ts   (BENCH_RUNS=3, BENCH_IDLE_S=20)
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { freePort, login, startTetherServer } from '../test/helpers/tether-server.js';
import { makeApi, type Api } from '../test/helpers/http-api.js';
import { launchBrowser, type TestBrowser } from '../test/helpers/browser.js';
import { runLabScript } from '../test/helpers/lab.js';
import { dockerClient, removeLabelled } from '../test/helpers/docker.js';
import { ensureDemoStack, stopServer } from '../test/proxy-lab.js';
import { median } from './stats.js';

const run = promisify(execFile);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const IDLE_S = Number(process.env.BENCH_IDLE_S ?? 20);
const SAMPLES = 5;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function untilRunning(api: Api, id: string): Promise<string> {
  for (const until = Date.now() + 120_000; Date.now() < until; await sleep(50)) {
    const s = (await api('GET', `/sessions/${id}`)).json as { state: string; container_id: string };
    if (s.state === 'running') return s.container_id;
    if (s.state === 'failed' || s.state === 'destroyed') throw new Error(`session ${id} ${s.state}`);
  }
  throw new Error(`session ${id} not running within 120 s`);
}

/** Opens the session's app with an entry link; reloads "/" while the proxy answers 502. */
async function openApp(api: Api, page: Page, id: string, ready: (p: Page) => Promise<boolean>): Promise<void> {
  const { url, origin } = (await api('POST', `/sessions/${id}/app-token`)).json as { url: string; origin: string };
  await page.goto(url);
  let loaded = Date.now();
  for (const until = Date.now() + 120_000; Date.now() < until; await sleep(50)) {
    if (await ready(page).catch(() => false)) return;
    const text = await page.locator('body').innerText({ timeout: 1000 }).catch(() => '');
    // 502 while the port is not listening yet; a load that Chromium aborted when another
    // container's network interface came or went on this host (ERR_NETWORK_CHANGED) stalls
    if (text.startsWith('Tether app proxy:') || Date.now() - loaded > 10_000) {
      await sleep(200);
      await page.goto(`${origin}/`).catch(() => undefined);
      loaded = Date.now();
    }
  }
  throw new Error(`session ${id}: the app did not show within 120 s (at ${page.url()})`);
}

/** noVNC's canvas with the desktop drawn: many colours (panel, icons, labels). */
async function desktopDrawn(page: Page): Promise<boolean> {
  return page.evaluate(() => {
    const canvas = document.querySelector<HTMLCanvasElement>('#noVNC_container canvas');
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx || canvas.width < 2) return false;
    const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
    const colours = new Set<number>();
    for (let i = 0; i < data.length; i += 4 * 97) colours.add((data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!);
    return colours.size >= 16;
  });
}

const demoShown = async (page: Page) => (await page.locator('#tree button[data-path="/share"]').count()) > 0;

/** `docker stats` once: memory in MiB, CPU in % of one core. */
async function stats(container: string): Promise<{ mib: number; cpu: number }> {
  const { stdout } = await run('docker', ['stats', '--no-stream', '--format', '{{.MemUsage}}|{{.CPUPerc}}', container]);
  const [mem, cpu] = stdout.trim().split('|') as [string, string];
  const m = /^([\d.]+)\s*([KMG]i?B)/.exec(mem);
  if (!m) throw new Error(`docker stats: unexpected "${stdout.trim()}"`);
  const unit = { KiB: 1 / 1024, MiB: 1, GiB: 1024, KB: 1 / 1024, MB: 1, GB: 1024 }[m[2]!] ?? 1;
  return { mib: Number(m[1]) * unit, cpu: Number(cpu.replace('%', '')) };
}

async function idleStats(container: string): Promise<{ mib: number; cpu: number }> {
  const s: Array<{ mib: number; cpu: number }> = [];
  for (let i = 0; i < SAMPLES; i++) s.push(await stats(container));
  return { mib: median(s.map((x) => x.mib)), cpu: median(s.map((x) => x.cpu)) };
}

async function main(): Promise<void> {
  await ensureDemoStack();
  await runLabScript('build-desktop-image.sh');
  const runId = Math.random().toString(16).slice(2, 10);
  const share = `/srv/tether-bench-desktop-${runId}`;
  await mkdir(share, { recursive: true });
  const dataDir = await mkdtemp(join(tmpdir(), 'tether-bench-desktop-'));
  const port = await freePort();
  const server = await startTetherServer({ port, dataDir, database: join(dataDir, 'tether.db') });
  const docker = dockerClient();
  let browser: TestBrowser | undefined;
  const ids: string[] = [];
  try {
    const api = makeApi(server.url, await login(server.url));
    const mappings = { [share]: { bind: '/share', uid: 1000, gid: 1000 } };
    for (const [name, image, web_port] of [['desktop', 'tether/desktop:1', 6901], ['demo', 'tether/demo-workspace:1', 8080]] as const) {
      const r = await api('POST', '/images', { name, docker_image: image, user: '1000:1000', web_port, cores: 2, memory: 2 * 1024 ** 3, volume_mappings: mappings });
      if (r.status !== 201) throw new Error(`image ${name}: HTTP ${r.status} ${r.text}`);
    }
    browser = await launchBrowser();
    const b = browser;
    const launch = async (image: string, ready: (p: Page) => Promise<boolean>, keep = false) => {
      const page = await b.context.newPage();
      const t0 = performance.now();
      const created = (await api('POST', '/sessions', { image })).json as { id: string };
      ids.push(created.id);
      const container = await untilRunning(api, created.id);
      await openApp(api, page, created.id, ready);
      const ms = performance.now() - t0;
      if (!keep) {
        await page.close();
        await api('DELETE', `/sessions/${created.id}`);
        // gone before the next launch: Chromium aborts page loads in flight when the engine
        // adds or removes a container's network interface on this host (ERR_NETWORK_CHANGED)
        while (((await api('GET', `/sessions/${created.id}`)).json as { state: string }).state !== 'destroyed') await sleep(100);
      }
      return { ms, page, container, id: created.id };
    };
    // one of each first, not counted: the engine's and the browser's caches warm
    await launch('demo', demoShown);
    await launch('desktop', desktopDrawn);
    const desk: number[] = [];
    const demo: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      demo.push((await launch('demo', demoShown)).ms);
      desk.push((await launch('desktop', desktopDrawn)).ms);
    }
    console.log(`(a) launch request -> first content in the browser, median of ${RUNS}:`);
    console.log(`    desktop, first non-blank frame: ${median(desk).toFixed(0)} ms   [${desk.map((x) => x.toFixed(0)).join(', ')}]`);
    console.log(`    demo, first page:               ${median(demo).toFixed(0)} ms   [${demo.map((x) => x.toFixed(0)).join(', ')}]`);
    console.log(`    ratio desktop / demo: ${(median(desk) / median(demo)).toFixed(2)}x`);

    const idleDesk = await launch('desktop', desktopDrawn, true);
    const idleDemo = await launch('demo', demoShown, true);
    await sleep(IDLE_S * 1000);
    const viewed = await idleStats(idleDesk.container);
    const demoIdle = await idleStats(idleDemo.container);
    await idleDesk.page.close();
    await sleep(5000);
    const unviewed = await idleStats(idleDesk.container);
    // Firefox open on the desktop (a blank page), as users will have it
    await run('docker', ['exec', '-d', '-u', '1000:1000', '-e', 'DISPLAY=:1', idleDesk.container, 'firefox-esr', 'about:blank']);
    await sleep(IDLE_S * 1000);
    const firefox = await idleStats(idleDesk.container);
    console.log(`(b) idle after ${IDLE_S} s, docker stats, median of ${SAMPLES}:`);
    console.log(`    desktop, viewer connected: ${viewed.mib.toFixed(0)} MiB, ${viewed.cpu.toFixed(2)}% CPU`);
    console.log(`    desktop, no viewer:        ${unviewed.mib.toFixed(0)} MiB, ${unviewed.cpu.toFixed(2)}% CPU`);
    console.log(`    desktop + Firefox on a blank page: ${firefox.mib.toFixed(0)} MiB, ${firefox.cpu.toFixed(2)}% CPU`);
    console.log(`    demo:                      ${demoIdle.mib.toFixed(1)} MiB, ${demoIdle.cpu.toFixed(2)}% CPU`);
    console.log(`    sessions per GB of RAM: ${(1024 / viewed.mib).toFixed(1)} idle desktops, ${(1024 / firefox.mib).toFixed(1)} with Firefox open`);
  } finally {
    await browser?.close();
    await stopServer(server);
    for (const id of ids) await removeLabelled(docker, `tether.session=${id}`);
    await rm(share, { recursive: true, force: true });
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
