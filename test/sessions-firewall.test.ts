// Sessions and the Tether API, for real: `tether server` (in-process, real engine, real
// iptables) listening on the sessions bridge's gateway address, the address a session would
// use to reach this host. By default a session's connection to it is dropped while this host
// still answers there; with TETHER_SESSIONS_REACH_API=1 the session reaches it; turned off
// again, it is dropped again.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig } from '../src/config.js';
import { startServer, type RunningServer } from '../src/server.js';
import { metricsPlugin, sessionsPlugin } from '../src/server-sessions.js';
import { SESSION_NETWORK } from '../src/runtime/hardening.js';
import { sessionLab, type SessionLab } from './helpers/sessions.js';
import { execIn } from './helpers/docker.js';
import { freePort } from './helpers/ports.js';
import type { SessionRecord } from '../src/store/types.js';

describe('sessions cannot reach the Tether API unless allowed (real server, engine, iptables)', () => {
  let lab: SessionLab;
  let session: SessionRecord;
  let gateway: string;
  let port: number;
  let dir: string;

  before(async () => {
    lab = await sessionLab();
    session = await lab.launch(await lab.user(), await lab.image({}));
    assert.equal(session.state, 'running', JSON.stringify(session.error));
    const net = await lab.docker.getNetwork(SESSION_NETWORK).inspect();
    gateway = net.IPAM?.Config?.[0]?.Gateway as string;
    assert.ok(gateway, `the sessions network has a gateway: ${JSON.stringify(net.IPAM)}`);
    port = await freePort();
    dir = await mkdtemp(join(tmpdir(), 'tether-firewall-'));
  });
  after(async () => {
    await lab?.cleanup();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function serve(env: Record<string, string>, run: (server: RunningServer) => Promise<void>): Promise<void> {
    const fullEnv = { TETHER_ADMIN_PASSWORD: 'firewall-admin-password', ...env };
    const config = loadConfig({ dataDir: dir, listen: `${gateway}:${port}` }, fullEnv);
    const server = await startServer(config, {
      features: [metricsPlugin({ env: fullEnv }), sessionsPlugin(config, { env: fullEnv })], print: () => {}, logger: pino({ level: 'silent' }), handleSignals: false, scryptN: 2 ** 10,
    });
    try {
      await run(server);
    } finally {
      await server.close();
    }
  }

  /** The API's OpenAPI document, asked from inside the session with busybox nc (3 s). */
  async function sessionAsks(): Promise<string> {
    const r = await execIn(lab.docker, session.container_id as string,
      ['sh', '-c', `printf 'GET /api/v1/openapi.json HTTP/1.0\\r\\n\\r\\n' | nc -w 3 ${gateway} ${port} | head -c 200; echo; echo "nc exit $?"`]);
    return r.output;
  }

  it('default: the session\'s connection to the API on the gateway address is dropped; this host reaches it there', async () => {
    await serve({}, async (server) => {
      const answer = await fetch(`${server.url}/api/v1/openapi.json`);
      await answer.arrayBuffer();
      assert.equal(answer.status, 200, 'the server answers on the gateway address');
      const out = await sessionAsks();
      assert.doesNotMatch(out, /HTTP\/1\.1/, `the session reached the API: ${out}`);
    });
  });

  it('TETHER_SESSIONS_REACH_API=1: the session reaches the API; set back to 0, it no longer does', async () => {
    await serve({ TETHER_SESSIONS_REACH_API: '1' }, async () => {
      const out = await sessionAsks();
      assert.match(out, /HTTP\/1\.1 200/, `allowed, the session reaches the API: ${out}`);
    });
    await serve({ TETHER_SESSIONS_REACH_API: '0' }, async () => {
      const out = await sessionAsks();
      assert.doesNotMatch(out, /HTTP\/1\.1/, `allowance taken back, yet the session reached the API: ${out}`);
    });
  });
});
