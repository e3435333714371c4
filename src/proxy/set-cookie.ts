// What a workspace app may set in the browser: its own cookies on its own origin, nothing
// more. Every Set-Cookie it sends passes here: a cookie named like one of Tether's (any case,
// with or without a __Host-/__Secure- prefix) is dropped, and so is a nameless one (the
// browser would send `=tether_session=x` as `tether_session=x`); the Domain attribute is
// removed from the rest, so the cookie stays on the app's own host (s-<id>.<host>) and never
// reaches Tether's host or another session's.
import { isTetherCookieName } from '../api/cookies.js';

/** The Set-Cookie value as the browser may get it, or null to drop it. */
export function rewriteSetCookie(value: string): string | null {
  const [pair = '', ...attributes] = value.split(';');
  const eq = pair.indexOf('=');
  const name = eq < 0 ? '' : pair.slice(0, eq).trim();
  if (name === '' || isTetherCookieName(name)) return null;
  const kept = attributes.filter((a) => {
    const key = a.split('=')[0]?.trim().toLowerCase();
    return key !== 'domain' && a.trim() !== '';
  });
  return [pair.trim(), ...kept.map((a) => a.trim())].join('; ');
}

/** Every Set-Cookie header of a response, rewritten; undefined when none is left. */
export function rewriteSetCookies(values: string | string[] | undefined): string[] | undefined {
  const out = [values ?? []].flat().map(rewriteSetCookie).filter((v): v is string => v !== null);
  return out.length > 0 ? out : undefined;
}

/**
 * The same for a raw HTTP response head (a WebSocket upgrade's answer, relayed byte for byte
 * otherwise), without its final blank line: Set-Cookie lines rewritten or dropped, the others kept.
 */
export function rewriteResponseHead(head: string): string {
  // browsers also take bare LF line ends and folded (continued) lines: normalize both first,
  // so no Set-Cookie hides from the rewrite behind either
  const lines = head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/).flatMap((line, i) => {
    if (i === 0) return [line];
    const m = /^set-cookie[ \t]*:(.*)$/is.exec(line);
    if (!m) return [line];
    const v = rewriteSetCookie((m[1] ?? '').trim());
    return v === null ? [] : [`set-cookie: ${v}`];
  });
  return lines.join('\r\n');
}
