// Tether's own cookies: the sign-in cookie on Tether's origin and the app cookie on each
// session's app origin. Served over HTTPS (TETHER_PUBLIC_URL https://...) they are named
// `__Host-<name>` and Secure: the browser then accepts them only from that very host, without
// a Domain, so no other host (a workspace app on s-<id>.<host> included, even through its own
// JavaScript) can set or shadow them. Over plain HTTP the browser offers no such guarantee:
// the app proxy drops cookies named like these from what workspaces send, and a request
// carrying the sign-in cookie twice (one planted for a parent domain) is refused.

export const SESSION_COOKIE_BASE = 'tether_session';
export const APP_COOKIE_BASE = 'tether_app';
/** the app proxy's count of reloads while a workspace's web app is starting (proxy/starting-page.ts); never forwarded */
export const APP_RETRY_COOKIE = 'tether_app_retry';

const PREFIX = /^__(host|secure)-/i;

export function cookieName(base: string, secure: boolean): string {
  return secure ? `__Host-${base}` : base;
}

/** Whether a cookie name is one of Tether's, in any case and with or without a __Host-/__Secure- prefix. */
export function isTetherCookieName(name: string): boolean {
  const bare = name.trim().replace(PREFIX, '').toLowerCase();
  return bare === SESSION_COOKIE_BASE || bare === APP_COOKIE_BASE || bare === APP_RETRY_COOKIE;
}

/** The strictest attributes the deployment allows (SameSite=Strict: sent only from the same site). */
export function cookieAttributes(secure: boolean): { httpOnly: true; sameSite: 'strict'; path: '/'; secure: boolean } {
  return { httpOnly: true, sameSite: 'strict', path: '/', secure };
}

/** Every value of one cookie in a Cookie header, in the order sent. */
export function cookieValues(header: string | undefined, name: string): string[] {
  const out: string[] = [];
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) out.push(part.slice(eq + 1).trim());
  }
  return out;
}
