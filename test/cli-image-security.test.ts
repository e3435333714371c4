// `tether image create|update` security flags against a real `tether server` process: a
// whole document, single settings merged into the current one on update, "none"/"default",
// and the server's refusal of a bad value (exit 1, the field named).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTether, type TetherRun } from './helpers/cli.js';
import { freePort, login, startTetherServer, type ServerProcess } from './helpers/tether-server.js';

describe('tether image security flags (real server)', () => {
  let dir: string;
  let server: ServerProcess | undefined;
  let token = '';
  const cli = (args: string[], stdin?: string): Promise<TetherRun> => runTether(args, { env: { TETHER_URL: server!.url, TETHER_TOKEN: token }, stdin });
  const show = async (name: string) => JSON.parse((await cli(['image', 'show', name, '--json'])).stdout).security as Record<string, unknown>;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tether-cli-security-'));
    server = await startTetherServer({ port: await freePort(), dataDir: join(dir, 'data'), database: join(dir, 'data', 'tether.db') });
    token = await login(server.url);
  });
  after(async () => {
    await server?.kill('SIGTERM');
    await rm(dir, { recursive: true, force: true });
  });

  it('creates with single settings, merges single settings on update, resets with none', async () => {
    const created = await cli(['image', 'create', 'desk', '--docker-image', 'x/desk:1', '--pids-limit', '4096', '--cap-add', 'SYS_NICE', '--new-privileges', 'allow']);
    assert.equal(created.code, 0, created.stderr);
    assert.deepEqual(await show('desk'), { pids_limit: 4096, cap_add: ['SYS_NICE'], no_new_privileges: false });
    const updated = await cli(['image', 'update', 'desk', '--network', 'none', '--pids-limit', 'default']);
    assert.equal(updated.code, 0, updated.stderr);
    assert.deepEqual(await show('desk'), { cap_add: ['SYS_NICE'], no_new_privileges: false, network: 'none' }, 'other settings kept');
    const file = join(dir, 'security.json');
    await writeFile(file, JSON.stringify({ pids_limit: null }));
    assert.equal((await cli(['image', 'update', 'desk', '--security', file])).code, 0);
    assert.deepEqual(await show('desk'), { pids_limit: null }, '--security replaces the whole document');
    assert.equal((await cli(['image', 'update', 'desk', '--security', 'none'])).code, 0);
    assert.deepEqual(await show('desk'), {});
    assert.match((await cli(['image', 'show', 'desk'])).stdout, /security:\s+defaults/);
  });

  it('a bad value: the server refuses it by field (exit 1); contradicting flags are a usage error (exit 2)', async () => {
    const bad = await cli(['image', 'create', 'bad', '--docker-image', 'x/bad:1', '--cap-add', 'FLY']);
    assert.equal(bad.code, 1, bad.stdout);
    assert.match(bad.stderr, /security\.cap_add\[0\].*"FLY" is not a Linux capability/);
    const both = await cli(['image', 'create', 'bad', '--docker-image', 'x/bad:1', '--security', 'none', '--pids-limit', '100']);
    assert.equal(both.code, 2, both.stderr);
    assert.match(both.stderr, /--security replaces the whole document/);
  });
});
