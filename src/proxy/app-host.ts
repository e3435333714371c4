// Which requests belong to a session's app origin: Host `s-<session id>.<base host>`.
// Everything else is Tether's own API and UI.
import { APP_COOKIE_BASE, isTetherCookieName } from '../api/cookies.js';

/** The app cookie's name over plain HTTP; over HTTPS `__Host-tether_app` (cookieName in api/cookies.ts). */
export const APP_COOKIE = APP_COOKIE_BASE;
export const ENTER_PATH = '/__tether/enter';

const APP_HOST = /^s-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.[a-z0-9.-]+(?::\d{1,5})?$/;

/** The session id when the Host header names an app origin, else null. */
export function sessionOfHost(host: string | undefined): string | null {
  if (!host) return null;
  return APP_HOST.exec(host.toLowerCase())?.[1] ?? null;
}

/**
 * The app origin of a session as seen from the Host the caller used for Tether itself: an
 * IP address or localhost becomes s-<id>.localhost (`*.localhost` is loopback in browsers);
 * a name becomes s-<id>.<name> (needs a wildcard DNS entry). Port kept.
 */
export function appOrigin(tetherHost: string, sessionId: string, protocol: string): string {
  const m = /^(\[[^\]]+\]|[^:]+)(:\d+)?$/.exec(tetherHost.toLowerCase());
  const name = m?.[1] ?? 'localhost';
  const port = m?.[2] ?? '';
  const isAddress = /^[0-9.]+$/.test(name) || name.startsWith('[') || name === 'localhost';
  return `${protocol}://s-${sessionId}.${isAddress ? 'localhost' : name}${port}`;
}

/** The value of one cookie in a Cookie header. */
export function cookieValue(header: string | undefined, name: string): string | null {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

/** The Cookie header without Tether's own cookies, in any of their forms (null when nothing is left). */
export function withoutTetherCookies(header: string | undefined): string | null {
  const kept = (header ?? '').split(';').map((p) => p.trim()).filter((p) => {
    const name = p.slice(0, Math.max(0, p.indexOf('='))).trim();
    return p !== '' && !isTetherCookieName(name);
  });
  return kept.length > 0 ? kept.join('; ') : null;
}
