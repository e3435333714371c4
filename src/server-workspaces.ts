// Joins "using a session" to `tether server` (a DepsExtension after sessionsExtension): the
// terminal WebSocket and the app-token route under /api/v1, and the per-session app proxy,
// which takes requests for s-<id>.<host> off the HTTP server before Fastify sees them.
import type { DepsExtension } from './server.js';
import { createDockerRuntime } from './runtime/docker/index.js';
import { terminalRoutes } from './api/routes/terminal.js';
import { sessionAppRoutes } from './api/routes/session-app.js';
import { createAppCredentials } from './proxy/app-credentials.js';
import { appProxyPlugin } from './proxy/app-proxy-plugin.js';
import { seedDemo } from './workspaces/seed-demo.js';

export function workspacesExtension(o: { seedDemo?: boolean; print?: (line: string) => void } = {}): DepsExtension {
  return async (deps, config) => {
    const { docker } = createDockerRuntime(config.dockerHost ? { dockerHost: config.dockerHost } : {});
    const credentials = createAppCredentials();
    deps.plugins = [...(deps.plugins ?? []), terminalRoutes({ docker }), sessionAppRoutes({ credentials })];
    deps.rootPlugins = [...(deps.rootPlugins ?? []), appProxyPlugin({ docker, credentials, store: deps.store })];
    if (o.seedDemo) await seedDemo(deps.store, deps.policy, o.print ?? ((l) => process.stdout.write(`${l}\n`)));
    return async () => credentials.clear();
  };
}
