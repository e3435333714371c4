// What a browser sees when the workspace's web app does not answer yet. A session is
// `running` once its container started; its web server (a desktop's X server then websockify,
// say) answers a second or two later. A bare 502 in that window looks like a broken
// workspace, so a page navigation gets a small page that reloads itself every second,
// counting its tries in a cookie of this origin, and after MAX_TRIES says plainly that the
// app is not answering. Anything else (an XHR, a script, an image) keeps the plain 502.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { cookieValue } from './app-host.js';
import { APP_RETRY_COOKIE } from '../api/cookies.js';

/** tries before the page stops reloading: about this many seconds of waiting */
export const MAX_TRIES = 8;

/** Whether the request is a browser loading a page (not a fetch, script or image). */
export function isPageNavigation(req: IncomingMessage): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  if (!String(req.headers.accept ?? '').includes('text/html')) return false;
  const mode = req.headers['sec-fetch-mode'];
  return mode === undefined || mode === 'navigate';
}

/** The try count the browser sent (0 when none or garbled). */
function triesSoFar(req: IncomingMessage): number {
  const n = Number.parseInt(cookieValue(req.headers.cookie, APP_RETRY_COOKIE) ?? '', 10);
  return Number.isInteger(n) && n > 0 && n <= MAX_TRIES ? n : 0;
}

/** A Set-Cookie that forgets the try count (the app answered, or the page gave up). */
export const FORGET_TRIES = `${APP_RETRY_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict`;

/** Whether the request carries a try count to forget. */
export function hasTries(req: IncomingMessage): boolean {
  return cookieValue(req.headers.cookie, APP_RETRY_COOKIE) !== null;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Answers 502 with the self-reloading page, or the final message once MAX_TRIES are spent. */
export function sendStartingPage(req: IncomingMessage, res: ServerResponse, port: number, reason: string): void {
  const tries = triesSoFar(req) + 1;
  const givingUp = tries > MAX_TRIES;
  const detail = escapeHtml(`port ${port}: ${reason}`);
  const body = givingUp
    ? `<!doctype html><meta charset="utf-8"><title>Workspace not answering</title>
<h1>The workspace is not answering</h1>
<p>Its web app did not answer after ${MAX_TRIES} tries (${detail}). It may have failed to start or stopped:
check the session's page in Tether. <a href="">Try again</a>.</p>\n`
    : `<!doctype html><meta charset="utf-8"><meta http-equiv="refresh" content="1"><title>Workspace starting</title>
<h1>The workspace is starting…</h1>
<p>This page retries by itself every second (try ${tries} of ${MAX_TRIES}; ${detail}).</p>\n`;
  res.writeHead(502, {
    'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff',
    'set-cookie': givingUp ? FORGET_TRIES : `${APP_RETRY_COOKIE}=${tries}; Path=/; Max-Age=60; HttpOnly; SameSite=Strict`,
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}
