// startServer: first start creates "admin" with a generated password printed once; a
// restart on the same data prints nothing; the password works; close() shuts down cleanly.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig } from '../src/config.js';
import { startServer } from '../src/server.js';

describe('tether server first start', () => {
  it('creates admin once with a generated password that signs in', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tether-server-'));
    try {
      const config = loadConfig({ dataDir: dir, listen: '127.0.0.1:0' }, {});
      const printed: string[] = [];
      const options = { print: (l: string) => printed.push(l), logger: pino({ level: 'silent' }), handleSignals: false, scryptN: 2 ** 10 };
      const first = await startServer(config, options);
      let password = '';
      try {
        assert.equal(printed.length, 1);
        password = /password: (\S+)/.exec(printed[0]!)?.[1] ?? '';
        assert.match(password, /^[A-Za-z0-9_-]{24}$/);
        const res = await fetch(`${first.url}/api/v1/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password }) });
        assert.equal(res.status, 200);
        const me = await fetch(`${first.url}/api/v1/me`, { headers: { authorization: `Bearer ${(await res.json()).token}` } });
        assert.equal((await me.json()).is_admin, true);
      } finally {
        await first.close();
      }
      const second = await startServer(config, options);
      await second.close();
      assert.equal(printed.length, 1, 'no second notice: an administrator exists');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
