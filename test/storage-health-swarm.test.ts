// Shared-storage health on the three-node swarm lab (scripts/lab/swarm-lab.sh: three engines in
// their own network and mount namespaces, the agent deployed as a global service, one SSHFS
// export mounted on every node): the real `tether server --runtime swarm` checks every node
// through its agent. SWARM_LAB_SHARED is the same data everywhere -> shared; SWARM_LAB_LOCAL is
// a folder of each node's own -> not_shared, naming the nodes that do not see the marker; a
// folder that no node has -> missing; one node's share stopped (its sftp-server SIGSTOPped, a
// few seconds) -> hung on that node within the timeout while the API goes on. The lab is left
// up (others may use it; `up` is idempotent).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { runTether } from './helpers/cli.js';
import { freePort, login, startTetherServer, type ServerProcess } from './helpers/tether-server.js';
import { makeApi } from './helpers/http-api.js';
import { startSwarmLab, swarmLabUnavailable, type SwarmLab } from './helpers/swarm-lab.js';
import type { StorageHealthReport, StoragePathHealth } from '../src/sessions/storage-report.js';

const unavailable = swarmLabUnavailable();
const LAB_SSHD_PIDFILE = '/run/tether-swarm-lab/sshd.pid';

/** The sftp-server serving the share's SSHFS connection from the node at `addr` (each node mounts it over its own connection). */
function sftpServerOf(addr: string): number {
  const sshd = readFileSync(LAB_SSHD_PIDFILE, 'utf8').trim();
  const sessions = execFileSync('pgrep', ['-P', sshd], { encoding: 'utf8' }).split('\n').filter(Boolean);
  const established = execFileSync('ss', ['-tnpH', 'state', 'established'], { encoding: 'utf8' }).split('\n');
  const session = sessions.find((pid) => established.some((l) => l.includes(`pid=${pid},`) && l.split(/\s+/).some((f) => f.startsWith(`${addr}:`))));
  assert.ok(session, `no SSHFS connection of ${addr} to the lab's sshd`);
  const sftp = execFileSync('pgrep', ['-P', session, '-x', 'sftp-server'], { encoding: 'utf8' }).trim();
  assert.match(sftp, /^\d+$/, `the sftp-server of ${addr}`);
  return Number(sftp);
}
const mapping = (bind: string) => ({ bind, uid: 1000, gid: 1000 });

if (unavailable) {
  describe('storage health on the swarm lab', () => {
    it(`skipped: ${unavailable}`, { skip: unavailable }, () => undefined);
  });
} else {
  describe('storage health on the swarm lab (three nodes, agents, SSHFS shared storage)', () => {
    const base = mkdtempSync('/tmp/tether-storage-swarm-');
    let lab: SwarmLab;
    let server: ServerProcess | undefined;
    let token = '';

    before(async () => {
      lab = await startSwarmLab();
      server = await startTetherServer({ port: await freePort(), dataDir: join(base, 'data'), database: join(base, 'data', 'tether.db'), env: lab.env });
      token = await login(server.url);
      const api = makeApi(server.url, token);
      const { SWARM_LAB_SHARED: shared, SWARM_LAB_LOCAL: local } = lab.env;
      const created = await api('POST', '/images', {
        name: 'lab', docker_image: lab.env.SWARM_LAB_IMAGE,
        volume_mappings: { [`${shared}/{username}`]: mapping('/shared'), [`${local}/{username}`]: mapping('/local'), [`${shared}-nowhere/{username}`]: mapping('/nowhere') },
      });
      assert.equal(created.status, 201, created.text);
    });

    after(async () => {
      await server?.kill('SIGTERM');
      rmSync(base, { recursive: true, force: true });
    });

    it('shared storage is shared, a node-local folder is not_shared, a folder no node has is missing; exit 3', async (t) => {
      const res = await makeApi(server!.url, token)('GET', '/storage/health?timeout_ms=5000');
      assert.equal(res.status, 200, res.text);
      const report = res.json as StorageHealthReport;
      const path = (p: string): StoragePathHealth => report.paths.find((x) => x.path === p) ?? assert.fail(`${p} not in the report`);
      assert.equal(report.nodes.length, 3, JSON.stringify(report.nodes));
      assert.ok(report.nodes.every((n) => n.checked && n.id !== null), JSON.stringify(report.nodes));
      assert.deepEqual(new Set(report.nodes.map((n) => n.id)), new Set(lab.nodeIds));

      const shared = path(lab.env.SWARM_LAB_SHARED!);
      assert.equal(shared.verdict, 'shared', shared.message);
      assert.deepEqual(shared.nodes.map((n) => n.marker).sort(), ['seen', 'seen', 'written']);
      assert.ok(shared.nodes.every((n) => n.reachable && typeof n.ms === 'number'));

      const local = path(lab.env.SWARM_LAB_LOCAL!);
      assert.equal(local.verdict, 'not_shared', local.message);
      assert.deepEqual(local.nodes.map((n) => n.marker).sort(), ['not_seen', 'not_seen', 'written']);
      const blind = local.nodes.filter((n) => n.marker === 'not_seen').map((n) => n.node.hostname);
      for (const h of blind) assert.ok(local.message.includes(h), `${local.message} names ${h}`);

      assert.equal(path(`${lab.env.SWARM_LAB_SHARED}-nowhere`).verdict, 'missing');
      assert.equal(report.ok, false);

      const cli = await runTether(['storage', 'check'], { env: { TETHER_URL: server!.url, TETHER_TOKEN: token } });
      assert.equal(cli.code, 3, cli.stderr + cli.stdout);
      t.diagnostic(cli.stdout);
      assert.match(cli.stdout, /not_shared: .* do not see the marker written from/);
    });

    it('one node\'s share stopped: hung on that node within the timeout, the other nodes answer, the API goes on', async () => {
      const api = makeApi(server!.url, token);
      const node = await lab.manager.getNode(lab.nodeIds[2]!).inspect() as { Status: { Addr: string }; Description: { Hostname: string } };
      const sftp = sftpServerOf(node.Status.Addr);
      process.kill(sftp, 'SIGSTOP');
      try {
        const started = Date.now();
        const check = api('GET', '/storage/health?timeout_ms=1500');
        const t0 = Date.now();
        assert.equal((await api('GET', '/images')).status, 200);
        assert.ok(Date.now() - t0 < 1000, `GET /images took ${Date.now() - t0} ms during the check`);
        const res = await check;
        const took = Date.now() - started;
        assert.equal(res.status, 200, res.text);
        const report = res.json as StorageHealthReport;
        const shared = report.paths.find((p) => p.path === lab.env.SWARM_LAB_SHARED) ?? assert.fail('shared path not in the report');
        assert.equal(shared.verdict, 'hung', shared.message);
        assert.match(shared.message, new RegExp(`no answer within the timeout on ${node.Description.Hostname}`));
        const row = shared.nodes.find((n) => n.node.id === lab.nodeIds[2]) ?? assert.fail('no row of the stopped node');
        assert.equal(row.class, 'timeout');
        assert.ok(shared.nodes.filter((n) => n !== row).every((n) => n.reachable && n.exists), JSON.stringify(shared.nodes));
        assert.equal((report.paths.find((p) => p.path === lab.env.SWARM_LAB_LOCAL) ?? assert.fail('local path')).verdict, 'not_shared', 'node-local storage is not affected');
        assert.ok(took < 8000, `answered after ${took} ms`);
      } finally {
        process.kill(sftp, 'SIGCONT');
      }
    });
  });
}
