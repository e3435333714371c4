// The web UI (web/, built by `npm run build:web` into web/dist), served by `tether server`
// itself at the root: files under web/dist as they are, and index.html for every other
// non-API path so the browser-side router can show it (SPA fallback). Unknown /api/ paths
// keep the API's JSON 404.
import { readFile, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';
import fp from 'fastify-plugin';
import { notFound } from './http-error.js';

/** web/dist of this checkout or package (same place from src/api and dist/api) */
export const DEFAULT_WEB_DIST = fileURLToPath(new URL('../../web/dist/', import.meta.url));

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon', '.json': 'application/json', '.map': 'application/json',
  '.woff2': 'font/woff2', '.txt': 'text/plain; charset=utf-8',
};

const NOT_BUILT = 'The Tether web UI is not built here: run `npm run build:web` (or `npm run build`), then reload. The API is at /api/v1.\n';

async function fileIn(root: string, urlPath: string): Promise<string | null> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const full = resolve(root, `.${decoded}`);
  // never leave web/dist, whatever the path says (../, encoded slashes); root comes from
  // resolve(), so it has no trailing separator (a filesystem root would serve nothing: fails closed)
  if (full !== root && !full.startsWith(root + sep)) return null;
  const info = await stat(full).catch(() => null);
  return info?.isFile() ? full : null;
}

async function send(reply: FastifyReply, file: string, cache: string) {
  const body = await readFile(file);
  return reply.header('content-type', CONTENT_TYPES[extname(file)] ?? 'application/octet-stream').header('cache-control', cache)
    .header('x-content-type-options', 'nosniff').send(body);
}

/** The web UI feature ('tether-web-ui'): GET /* at the root. */
export function webUiPlugin(options: { root?: string } = {}) {
  const root = resolve(options.root ?? DEFAULT_WEB_DIST);
  return fp(async function registerWebUi(app: FastifyInstance): Promise<void> {
    app.get('/*', { config: { access: 'public' }, schema: { hide: true } }, async (request, reply) => {
      const path = request.url.split('?')[0] ?? '/';
      if (path === '/api' || path.startsWith('/api/')) throw notFound(`route ${request.method} ${path}`);
      const file = path === '/' ? null : await fileIn(root, path);
      // hashed build output never changes under its name; everything else is revalidated
      if (file) return send(reply, file, path.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
      const index = join(root, 'index.html');
      if (!(await stat(index).catch(() => null))) return reply.code(503).type('text/plain; charset=utf-8').send(NOT_BUILT);
      reply.header('content-security-policy', "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'");
      return send(reply, index, 'no-cache');
    });
  }, { name: 'tether-web-ui', dependencies: ['tether-core'] });
}
