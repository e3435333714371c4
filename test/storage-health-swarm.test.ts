// Shared-storage health on the three-node swarm lab (scripts/lab/swarm-lab.sh: three engines in
// their own network and mount namespaces, the agent deployed as a global service, one SSHFS
// export mounted on every node): the real `tether server --runtime swarm` checks every node
// through its agent. SWARM_LAB_SHARED is the same data everywhere -> shared; SWARM_LAB_LOCAL is
// a folder of each node's own -> not_shared, naming the nodes that do not see the marker; a
// folder that no node has -> missing. The lab is left up (others may use it; `up` is idempotent).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { runTether } from './helpers/cli.js';
import { freePort, login, startTetherServer, type ServerProcess } from './helpers/tether-server.js';
import { makeApi } from './helpers/http-api.js';
import { startSwarmLab, swarmLabUnavailable, type SwarmLab } from './helpers/swarm-lab.js';
import type { StorageHealthReport, StoragePathHealth } from '../src/sessions/storage-report.js';

const unavailable = swarmLabUnavailable();
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
  });
}
