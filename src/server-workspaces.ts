// Joins "using a session" to `tether server` (a DepsExtension after sessionsExtension): the
// terminal WebSocket and the app-token route under /api/v1, and the per-session app proxy,
// which takes requests for s-<id>.<host> off the HTTP server before Fastify sees them. Both
// reach containers through the Runtime of config.runtime (exec, address).
import type { DepsExtension } from './server.js';
import { createRuntime } from './runtime/create-runtime.js';
import { terminalRoutes } from './api/routes/terminal.js';
import { createAppCredentials } from './proxy/app-credentials.js';
import { sessionAppRoutes } from './proxy/app-token-route.js';
import { appProxyPlugin } from './proxy/app-proxy-plugin.js';
import { seedDemo } from './api/seed-demo.js';

export function workspacesExtension(o: { seedDemo?: boolean; print?: (line: string) => void } = {}): DepsExtension {
  return async (deps, config) => {
    const runtime = createRuntime(config.runtime, { dockerHost: config.dockerHost });
    const credentials = createAppCredentials();
    deps.plugins = [...(deps.plugins ?? []), terminalRoutes({ runtime }), sessionAppRoutes({ credentials })];
    deps.rootPlugins = [...(deps.rootPlugins ?? []), appProxyPlugin({ runtime, credentials, store: deps.store })];
    if (o.seedDemo) await seedDemo(deps.store, deps.policy, o.print ?? ((l) => process.stdout.write(`${l}\n`)));
    return async () => credentials.clear();
  };
}
