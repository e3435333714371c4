// Debian's Chromium (scripts/lab/ensure-browser.sh) driven by playwright-core, headless, with
// a fresh profile per run; close() ends the browser and removes the profile.
import { mkdtemp, rm } from 'node:fs/promises';
import { existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { runLabScript } from './lab.js';
import { REPO_ROOT } from './tether-server.js';

export const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface TestBrowser {
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<TestBrowser> {
  await runLabScript('ensure-browser.sh');
  const profile = await mkdtemp(join(tmpdir(), 'tether-e2e-chromium-'));
  let context: BrowserContext;
  try {
    // launchPersistentContext is playwright's way to pass a fresh --user-data-dir
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport: { width: 1280, height: 800 }, timeout: 60_000,
    });
  } catch (err) {
    await rm(profile, { recursive: true, force: true });
    throw err;
  }
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(20_000);
  return {
    context, page,
    async close() {
      await context.close().catch(() => undefined);
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Builds the web UI (web/dist) when it is missing or incomplete, e.g. a test run without
 * `npm run build`. Complete = the page and the lazily loaded terminal chunk: a build from
 * before the terminal existed has the page but not the chunk. (A build older than the
 * sources is not detected: `npm run build` refreshes it.)
 */
export async function ensureWebBuilt(): Promise<void> {
  const dist = join(REPO_ROOT, 'web/dist');
  const complete = existsSync(join(dist, 'index.html')) && existsSync(join(dist, 'assets'))
    && readdirSync(join(dist, 'assets')).some((f) => f.startsWith('terminal-panel-'));
  if (complete) return;
  await promisify(execFile)(process.execPath, [join(REPO_ROOT, 'node_modules/vite/bin/vite.js'), 'build', 'web', '--logLevel', 'warn'], { cwd: REPO_ROOT, timeout: 180_000 });
}

/** Signs in through the real sign-in page and waits until the app shell shows. */
export async function signIn(page: Page, baseUrl: string, username: string, password: string): Promise<void> {
  await page.goto(`${baseUrl}/`);
  await page.locator('input[name=username]').fill(username);
  await page.locator('input[name=password]').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}
