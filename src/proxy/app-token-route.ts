// POST /api/v1/sessions/:id/app-token: the entry link to the session's web app, served on
// its own origin (app-proxy-plugin.ts). Owner only: an administrator gets the terminal (audited)
// but not the user's app, which may hold the user's own logins. The token lasts 60 s and
// is used once; the page opens `url` right away.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppDeps } from '../api/types.js';
import { caller } from '../api/auth-hook.js';
import { conflict, notFound } from '../api/http-error.js';
import { errorResponses, sessionIdParams } from '../api/schemas.js';
import { AppEntry } from '../api/wire/index.js';
import type { AppCredentials } from './app-credentials.js';
import { ENTER_PATH, appOrigin } from './app-host.js';

export function sessionAppRoutes(o: { credentials: AppCredentials }) {
  return async function registerSessionApp(server: FastifyInstance, deps: AppDeps): Promise<void> {
    const app = server.withTypeProvider<ZodTypeProvider>();
    app.post('/sessions/:id/app-token', {
      config: { access: 'user' },
      schema: {
        summary: "An entry link (60 s, single use) to the session's web app on its own origin; the session's owner only",
        tags: ['sessions'],
        params: sessionIdParams,
        response: { 200: AppEntry, ...errorResponses },
      },
    }, async (request) => {
      const me = caller(request);
      const rec = await deps.store.sessions.get(request.params.id);
      if (!rec || rec.user_id !== me.user.user_id) throw notFound(`session "${request.params.id}"`);
      if (rec.state !== 'running') throw conflict(`session "${rec.session_id}" is ${rec.state}; its app opens once it runs`);
      const image = await deps.store.images.get(rec.image_id);
      if (!image?.web_port) throw conflict(`the image of session "${rec.session_id}" declares no web_port (set it with \`tether image update --web-port N\`)`);
      const { token, expiresInSeconds } = o.credentials.issueEntryToken(rec.session_id, me.user.user_id, me.token_id);
      const origin = appOrigin(request.headers.host ?? 'localhost', rec.session_id, deps.secureCookies ? 'https' : request.protocol);
      return { url: `${origin}${ENTER_PATH}?token=${encodeURIComponent(token)}`, origin, token, expires_in: expiresInSeconds };
    });
  };
}
