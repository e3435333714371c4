// `tether node list` and image zones end to end: a real `tether server` (single Docker
// engine, SQLite) driven by the real CLI. The single engine shows one node, the local
// engine; zones are saved, shown and cleared, and a name that is not label-safe is refused
// with the field named.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTether, type TetherRun } from './helpers/cli.js';
import { freePort, startTetherServer, type ServerProcess } from './helpers/tether-server.js';

const ADMIN_PASSWORD = 'placement-admin-password';

describe('tether node list and image zones against a real server', () => {
  let dir: string;
  let server: ServerProcess | undefined;
  let token = '';
  const cli = (args: string[], o: { token?: string | null; stdin?: string } = {}): Promise<TetherRun> =>
    runTether(args, { env: { TETHER_URL: server!.url, ...(o.token === null ? {} : { TETHER_TOKEN: o.token ?? token }) }, stdin: o.stdin });

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tether-nodes-'));
    server = await startTetherServer({ port: await freePort(), dataDir: dir, database: join(dir, 'tether.db'), env: { TETHER_ADMIN_PASSWORD: ADMIN_PASSWORD } });
    const login = await cli(['login', '--username', 'admin', '--password-stdin'], { stdin: ADMIN_PASSWORD, token: null });
    assert.equal(login.code, 0, login.stderr);
    token = login.stdout.trim();
  });

  after(async () => {
    await server?.kill('SIGTERM');
    await rm(dir, { recursive: true, force: true });
  });

  it('node list: the single engine is one node, ready, no agent, its session counts', async () => {
    const json = await cli(['node', 'list', '--json']);
    assert.equal(json.code, 0, json.stderr);
    const nodes = JSON.parse(json.stdout) as Array<Record<string, unknown>>;
    assert.equal(nodes.length, 1);
    assert.deepEqual({ ...nodes[0], hostname: 'x' }, {
      id: 'local', hostname: 'x', zone: null, availability: 'active', state: 'ready',
      agent: { state: 'none', reason: 'single engine: host preparation runs in this server' },
      sessions: { active: 0, running: 0, lost: 0 },
    });
    const text = await cli(['node', 'list']);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^ID\s+HOSTNAME\s+ZONE\s+AVAILABILITY\s+STATE\s+SESSIONS\s+LOST\s+AGENT\n/);
    assert.match(text.stdout, /\nlocal\s+\S+\s+-\s+active\s+ready\s+0\s+0\s+none: single engine/);
    const anonymous = await cli(['node', 'list'], { token: null });
    assert.equal(anonymous.code, 1, 'refused without a token');
    assert.match(anonymous.stderr, /HTTP 401/);
  });

  it('node list is for administrators only', async () => {
    const created = await cli(['user', 'create', 'plain-user', '--password-stdin', '--json'], { stdin: 'plain-user-password' });
    assert.equal(created.code, 0, created.stderr);
    const login = await cli(['login', '--username', 'plain-user', '--password-stdin'], { stdin: 'plain-user-password', token: null });
    assert.equal(login.code, 0, login.stderr);
    const refused = await cli(['node', 'list'], { token: login.stdout.trim() });
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /HTTP 403/);
  });

  it('image --zones: saved, shown, cleared with "none"; a name that is not label-safe is refused with where', async () => {
    const created = await cli(['image', 'create', 'zoned', '--docker-image', 'busybox:1.36', '--zones', 'zone-a, zone-b', '--json']);
    assert.equal(created.code, 0, created.stderr);
    assert.deepEqual(JSON.parse(created.stdout).zones, ['zone-a', 'zone-b']);
    const shown = await cli(['image', 'show', 'zoned']);
    assert.match(shown.stdout, /zones:\s+zone-a, zone-b/);
    const cleared = await cli(['image', 'update', 'zoned', '--zones', 'none', '--json']);
    assert.equal(cleared.code, 0, cleared.stderr);
    assert.deepEqual(JSON.parse(cleared.stdout).zones, []);
    assert.match((await cli(['image', 'show', 'zoned'])).stdout, /zones:\s+any/);
    for (const bad of ['zone a', '-zone', 'zone-a,zone!', 'x'.repeat(64)]) {
      const refused = await cli(['image', 'update', 'zoned', '--zones', bad]);
      assert.equal(refused.code, 1, `${bad}: ${refused.stderr}`);
      assert.match(refused.stderr, /zones/, bad);
    }
    assert.deepEqual(JSON.parse((await cli(['image', 'show', 'zoned', '--json'])).stdout).zones, [], 'nothing changed by a refused update');
  });
});
