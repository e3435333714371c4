// Shared-storage health against the real `tether server` process on the local engine (one
// node: this host) with real folders and a real SSHFS mount: GET /storage/health, `tether
// storage check` (table, --json, exit codes), and the web UI's Storage page in Chromium.
// Verdicts here: shared (a folder; the SSHFS mount while it answers), missing, error (a prefix
// that is a symlink to /etc: followed, its real path refused by the policy), hung (the SSHFS
// server stopped: answered within the timeout while the API keeps answering other requests).
// The multi-node verdicts (not_shared) are in src/sessions/storage-health.test.ts.
// TETHER_SCREENSHOTS=1 also writes docs/screenshots/storage.png.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { runTether, type TetherRun } from './helpers/cli.js';
import { ADMIN_PASSWORD, freePort, login, REPO_ROOT, startTetherServer, type ServerProcess } from './helpers/tether-server.js';
import { makeApi, type Api } from './helpers/http-api.js';
import { startSshfsExport, type SshfsExport } from './helpers/sshfs.js';
import { ensureWebBuilt, launchBrowser, signIn, type TestBrowser } from './helpers/browser.js';
import type { StorageHealthReport, StoragePathHealth } from '../src/sessions/storage-report.js';

const SHOTS = process.env.TETHER_SCREENSHOTS ? join(REPO_ROOT, 'docs/screenshots') : null;
const mapping = (bind: string) => ({ bind, uid: 1000, gid: 1000 });

describe('storage health (real server, local engine, real folders and SSHFS)', () => {
  const base = mkdtempSync('/tmp/tether-storage-health-');
  const shared = join(base, 'shared');
  let server: ServerProcess | undefined;
  let nas: SshfsExport | undefined;
  let token = '';
  let api: Api;
  const cli = (args: string[]): Promise<TetherRun> => runTether(['storage', 'check', ...args], { env: { TETHER_URL: server!.url, TETHER_TOKEN: token } });
  const byPath = (r: StorageHealthReport, path: string): StoragePathHealth => {
    const p = r.paths.find((x) => x.path === path);
    assert.ok(p, `${path} in ${JSON.stringify(r.paths.map((x) => x.path))}`);
    return p;
  };

  before(async () => {
    mkdirSync(shared);
    symlinkSync('/etc', join(base, 'etc-link'));
    nas = await startSshfsExport();
    server = await startTetherServer({ port: await freePort(), dataDir: join(base, 'data'), database: join(base, 'data', 'tether.db') });
    token = await login(server.url);
    api = makeApi(server.url, token);
    const created = await api('POST', '/images', { name: 'desk', docker_image: 'x/desk:1', volume_mappings: { [`${shared}/{username}`]: mapping('/home/data') } });
    assert.equal(created.status, 201, created.text);
  });

  after(async () => {
    await server?.kill('SIGTERM');
    await nas?.teardown();
    rmSync(base, { recursive: true, force: true });
  });

  it('every path shared: the table and exit 0; --json is the API\'s report', async () => {
    const table = await cli([]);
    assert.equal(table.code, 0, table.stderr + table.stdout);
    assert.match(table.stdout, /PATH\s+VERDICT\s+NODE\s+REACHABLE\s+EXISTS\s+MS\s+MARKER/);
    assert.ok(table.stdout.includes(shared) && /\bshared\b/.test(table.stdout), table.stdout);
    assert.match(table.stdout, /every path is shared/);
    const json = await cli(['--json']);
    assert.equal(json.code, 0, json.stderr);
    const report = JSON.parse(json.stdout) as StorageHealthReport;
    assert.equal(report.ok, true);
    assert.equal(report.timeout_ms, 5000);
    assert.equal(report.nodes.length, 1);
    assert.equal(report.nodes[0]!.id, null, 'the single engine has no node id');
    const p = byPath(report, shared);
    assert.equal(p.verdict, 'shared');
    assert.deepEqual(p.used_by, [{ kind: 'image', name: 'desk', host_path: `${shared}/{username}` }]);
    assert.equal(p.nodes[0]!.marker, 'written');
    assert.equal(p.nodes[0]!.exists, true);
    assert.equal(typeof p.nodes[0]!.ms, 'number');
    assert.deepEqual(readdirSync(shared), [], 'the marker was removed');
  });

  it('missing, a symlinked prefix to /etc refused, SSHFS shared: verdicts per path, exit 3', async () => {
    for (const [name, path] of [['gone', join(base, 'missing')], ['sneaky', join(base, 'etc-link')], ['nas', nas!.mountDir]] as const) {
      const r = await api('POST', '/images', { name, docker_image: `x/${name}:1`, volume_mappings: { [`${path}/{username}`]: mapping('/data') } });
      assert.equal(r.status, 201, r.text);
    }
    const group = await api('POST', '/groups', { name: 'staff', priority: 10, settings: { volume_mappings: { [`${shared}/{username}/team`]: mapping('/team') } } });
    assert.equal(group.status, 201, group.text);
    const res = await api('GET', '/storage/health?timeout_ms=3000');
    assert.equal(res.status, 200, res.text);
    const report = res.json as StorageHealthReport;
    assert.equal(report.ok, false);
    assert.equal(byPath(report, join(base, 'missing')).verdict, 'missing');
    const sneaky = byPath(report, join(base, 'etc-link'));
    assert.equal(sneaky.verdict, 'error');
    assert.equal(sneaky.nodes[0]!.class, 'policy');
    assert.match(sneaky.nodes[0]!.message ?? '', /resolves to "\/etc"/);
    assert.equal(readdirSync('/etc').some((n) => n.startsWith('.tether-storage-check-')), false, 'no marker in /etc');
    assert.equal(byPath(report, nas!.mountDir).verdict, 'shared');
    const both = byPath(report, shared);
    assert.equal(both.verdict, 'shared');
    assert.deepEqual(both.used_by.map((u) => `${u.kind}:${u.name}`), ['image:desk', 'group:staff']);

    const table = await cli(['--timeout', '3000']);
    assert.equal(table.code, 3, table.stderr + table.stdout);
    assert.match(table.stdout, /missing: does not exist on/);
    assert.match(table.stdout, /2 of 4 paths are not shared on every node/);
    const json = await cli(['--json']);
    assert.equal(json.code, 3);
    assert.equal((JSON.parse(json.stdout) as StorageHealthReport).ok, false);
  });

  it('bad input and access: --timeout out of range (exit 2), timeout_ms out of range (400), a user is refused (403)', async () => {
    const usage = await cli(['--timeout', '5']);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /--timeout "5": expected milliseconds, 100\.\.60000/);
    const openapi = (await (await fetch(`${server!.url}/api/v1/openapi.json`)).json()) as { paths: Record<string, { get?: { responses: Record<string, { content?: { 'application/json'?: { schema?: { properties?: object } } } }> } }> };
    const documented = openapi.paths['/api/v1/storage/health']?.get?.responses['200']?.content?.['application/json']?.schema?.properties;
    assert.deepEqual(Object.keys(documented ?? {}), ['checked_at', 'timeout_ms', 'ok', 'nodes', 'paths'], 'the OpenAPI document describes the report');
    const bad = await api('GET', '/storage/health?timeout_ms=50');
    assert.equal(bad.status, 400);
    assert.match(bad.json.message, /timeout_ms 50 is out of range/);
    const user = await api('POST', '/users', { username: 'bob', password: 'bob-password-1234', groups: [] });
    assert.equal(user.status, 201, user.text);
    const bobToken = await login(server!.url, 'bob', 'bob-password-1234');
    assert.equal((await makeApi(server!.url, bobToken)('GET', '/storage/health')).status, 403);
    const bobCli = await runTether(['storage', 'check'], { env: { TETHER_URL: server!.url, TETHER_TOKEN: bobToken } });
    assert.equal(bobCli.code, 1, 'the server refused: exit 1');
  });

  it('SSHFS server stopped: that path is hung within the timeout, the others keep their verdicts, the API keeps answering', async () => {
    nas!.hang();
    try {
      const started = Date.now();
      const check = api('GET', '/storage/health?timeout_ms=1500');
      // while the check waits on the hung mount, other requests are answered at once
      for (let i = 0; i < 3; i++) {
        const t0 = Date.now();
        const images = await api('GET', '/images');
        assert.equal(images.status, 200);
        assert.ok(Date.now() - t0 < 1000, `GET /images took ${Date.now() - t0} ms during the check`);
        await new Promise((r) => setTimeout(r, 200));
      }
      const res = await check;
      const took = Date.now() - started;
      assert.equal(res.status, 200, res.text);
      const report = res.json as StorageHealthReport;
      const hung = byPath(report, nas!.mountDir);
      assert.equal(hung.verdict, 'hung');
      assert.equal(hung.nodes[0]!.class, 'timeout');
      assert.match(hung.message, /no answer within the timeout/);
      assert.equal(byPath(report, shared).verdict, 'shared');
      assert.ok(took >= 1400 && took < 6000, `answered after ${took} ms`);
      const json = await cli(['--json', '--timeout', '1500']);
      assert.equal(json.code, 3);
      assert.equal(byPath(JSON.parse(json.stdout) as StorageHealthReport, nas!.mountDir).verdict, 'hung');
    } finally {
      nas!.resume();
    }
  });

  describe('the Storage page (Chromium)', () => {
    let browser: TestBrowser | undefined;
    before(async () => {
      await ensureWebBuilt();
      browser = await launchBrowser();
    });
    after(async () => {
      await browser?.close();
    });

    it('an administrator sees every path with its verdict per node; a user has no such page', async () => {
      const page = browser!.page;
      await page.setViewportSize({ width: 1360, height: 760 });
      await signIn(page, server!.url, 'admin', ADMIN_PASSWORD);
      await page.getByRole('link', { name: 'Storage', exact: true }).click();
      await page.getByRole('heading', { name: 'Storage' }).waitFor();
      await page.locator('table.storage-table').waitFor({ timeout: 20_000 });
      const row = (path: string) => page.locator(`tr[data-path="${path}"]`);
      assert.equal(await row(shared).locator('.state').textContent(), 'shared');
      assert.equal(await row(join(base, 'missing')).locator('.state').textContent(), 'missing');
      assert.equal(await row(join(base, 'etc-link')).locator('.state').textContent(), 'error');
      assert.match((await row(shared).textContent()) ?? '', /reachable \d+ ms.*wrote the marker/);
      assert.match((await row(shared).textContent()) ?? '', /image desk.*group staff/);
      assert.match((await page.getByRole('status').textContent()) ?? '', /2 of 4 paths are not shared on every node/);
      if (SHOTS) await page.screenshot({ path: join(SHOTS, 'storage.png'), fullPage: true });

      await page.getByRole('button', { name: 'Sign out' }).click();
      await signIn(page, server!.url, 'bob', 'bob-password-1234');
      assert.equal(await page.getByRole('link', { name: 'Storage', exact: true }).count(), 0);
    });
  });
});
