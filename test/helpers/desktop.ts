// Opening the desktop image's noVNC page the way a user does: "Open desktop" on the session
// page, a new tab on the session's app-proxy origin, noVNC connected. Shared by the desktop
// browser tests.
import type Dockerode from 'dockerode';
import type { Page } from 'playwright-core';
import type { TestBrowser } from './browser.js';
import { eventually } from './sessions.js';

export const DESKTOP_IMAGE = 'tether/desktop:1';

/**
 * A session is "running" once its container started; the desktop's web port answers a
 * second or two later (X server, then websockify). Until then the proxy answers 502.
 */
export async function desktopAnswers(docker: Dockerode, containerId: string): Promise<void> {
  const info = await docker.getContainer(containerId).inspect();
  const ip = Object.values(info.NetworkSettings.Networks).map((n) => n.IPAddress).find((a) => a);
  await eventually(async () => fetch(`http://${ip}:6901/vnc.html`, { signal: AbortSignal.timeout(2000) }).then((r) => r.ok, () => false), 30_000, 'the desktop\'s web port');
}

/** "Open desktop" on the session page (server at serverUrl, listening on port); the noVNC page once connected. */
export async function openDesktop(browser: TestBrowser, serverUrl: string, port: number, sessionId: string): Promise<Page> {
  const page = browser.page;
  await page.goto(`${serverUrl}/sessions/${sessionId}`);
  const [desktop] = await Promise.all([browser.context.waitForEvent('page'), page.getByRole('button', { name: 'Open desktop' }).click()]);
  await desktop.waitForURL(new RegExp(`^http://s-${sessionId}\\.localhost:${port}/vnc\\.html\\?autoconnect=1`), { waitUntil: 'commit' });
  // noVNC names the page after the VNC desktop once connected. On this shared test host
  // Chromium aborts page loads in flight (ERR_NETWORK_CHANGED) whenever any container's
  // network interface comes or goes, leaving noVNC half loaded: then the page is reloaded.
  for (let attempt = 1; ; attempt++) {
    try {
      await eventually(async () => (await desktop.title()) === 'Tether desktop - noVNC', 15_000, 'noVNC connected to "Tether desktop"');
      return desktop;
    } catch (err) {
      if (attempt === 3) throw err;
      await desktop.reload();
    }
  }
}
