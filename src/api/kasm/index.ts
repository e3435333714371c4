// The Kasm-compatible Developer API under /api/public: Kasm's endpoints, field names, ids
// and error shape over Tether's own use-cases (docs/kasm-api.md). Registered by buildApp.
import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../types.js';
import { KASM_PREFIX, installKasmTransport } from './transport.js';
import { kasmSessionEndpoints } from './sessions.js';
import { kasmUserEndpoints } from './users.js';
import { kasmGroupEndpoints } from './groups.js';
import { connectRoutes } from './connect.js';

export { KASM_PREFIX } from './transport.js';

export async function kasmApi(app: FastifyInstance, deps: AppDeps): Promise<void> {
  // the endpoints: every route in this context is access 'apikey'
  await app.register(async (api) => {
    const names: string[] = [];
    api.addHook('onRoute', (route) => {
      names.push(route.url.slice(route.prefix.length + 1));
    });
    installKasmTransport(api, deps, () => names);
    await kasmSessionEndpoints(api, deps);
    await kasmUserEndpoints(api, deps);
    await kasmGroupEndpoints(api, deps);
  }, { prefix: KASM_PREFIX });
  // the one-time sign-in link: a browser page, not an API call
  await app.register(async (child) => connectRoutes(child, deps), { prefix: KASM_PREFIX });
}
