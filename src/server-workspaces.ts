// The workspaces feature of `tether server` ('tether-workspaces', a Fastify plugin after the
// sessions feature): the terminal WebSocket and the app-token route under /api/v1, and the
// per-session app proxy, which takes requests for s-<id>.<host> off the HTTP server before
// Fastify sees them. Both reach containers through the sessions feature's Runtime
// (app.runtime: exec, dial).
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { registerApiRoutes } from './api/app.js';
import { terminalRoutes } from './api/routes/terminal.js';
import { createAppCredentials } from './proxy/app-credentials.js';
import { sessionAppRoutes } from './proxy/app-token-route.js';
import { appProxyPlugin } from './proxy/app-proxy-plugin.js';
import { seedDemo } from './api/seed-demo.js';

export function workspacesPlugin(o: { seedDemo?: boolean; print?: (line: string) => void } = {}) {
  return fp(async (app: FastifyInstance) => {
    const { runtime, deps } = app;
    const credentials = createAppCredentials();
    app.addHook('onClose', async () => credentials.clear());
    await registerApiRoutes(app, [terminalRoutes({ runtime }), sessionAppRoutes({ credentials })]);
    await app.register(async (child) => appProxyPlugin({ runtime, credentials, store: deps.store })(child, deps));
    if (o.seedDemo) await seedDemo(deps.store, deps.policy, o.print ?? ((l) => process.stdout.write(`${l}\n`)));
  }, { name: 'tether-workspaces', dependencies: ['tether-core', 'tether-sessions'] });
}
