// TETHER_METRICS_PUBLIC through the real path: the metrics plugin reads it (server only,
// not loadConfig), startServer with it (real engine) registers GET /metrics public or administrators-only.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig } from '../src/config.js';
import { startServer } from '../src/server.js';
import { metricsPlugin, sessionsPlugin } from '../src/server-sessions.js';

/** Starts `tether server` in-process with the given environment; returns GET /metrics without a token. */
async function metricsWithoutToken(env: Record<string, string>): Promise<{ status: number; body: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'tether-metrics-public-'));
  try {
    const fullEnv = { TETHER_ADMIN_PASSWORD: 'metrics-admin-password', ...env };
    const config = loadConfig({ dataDir: dir, listen: '127.0.0.1:0' }, fullEnv);
    const server = await startServer(config, {
      features: [metricsPlugin({ env: fullEnv }), sessionsPlugin(config, { env: fullEnv })], print: () => {}, logger: pino({ level: 'silent' }), handleSignals: false, scryptN: 2 ** 10,
    });
    try {
      const res = await fetch(`${server.url}/metrics`);
      return { status: res.status, body: await res.text() };
    } finally {
      await server.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('TETHER_METRICS_PUBLIC (real server, real engine)', () => {
  it('=1: GET /metrics answers without a token', async () => {
    const r = await metricsWithoutToken({ TETHER_METRICS_PUBLIC: '1' });
    assert.equal(r.status, 200, r.body);
    assert.match(r.body, /tether_launches_total/);
  });

  it('unset or 0: GET /metrics without a token is 401 (administrators only)', async () => {
    for (const env of [{}, { TETHER_METRICS_PUBLIC: '0' }] as Array<Record<string, string>>) {
      const r = await metricsWithoutToken(env);
      assert.equal(r.status, 401, `${JSON.stringify(env)}: ${r.body}`);
    }
  });

  it('anything else stops the server with a clear message', () => {
    assert.throws(() => metricsPlugin({ env: { TETHER_METRICS_PUBLIC: 'yes' } }), /TETHER_METRICS_PUBLIC: "yes" is not a switch; expected 1 \(on\) or 0 \(off\)/);
  });
});
