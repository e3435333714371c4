// Multi-host scenarios end to end on the real three-node swarm lab (scripts/lab/swarm-lab.sh:
// tslab-n1..3 in zones zone-a, zone-a, zone-b, one SSHFS export mounted on every node, the
// agent deployed by the lab as the global service tether-agent): the real `tether server
// --runtime swarm` as a child process, driven through its API and CLI. Sessions spread over
// the nodes; a file written in a session on one node is read by the same user's next session
// on another node through a shared {username} mapping; the node-local folder is flagged; a
// node whose storage hangs (its sftp-server stopped) fails a launch that can only go there
// within the mapping's timeout while the API and launches elsewhere go on; a drained node and a
// node whose engine was stopped get no new sessions and their sessions are reported; a shell
// into a session on a worker node; a server restart reconciles; the deployed agents refuse a
// missing or forged credential. The terminal's and app proxy's own cases on a worker node:
// test/swarm-terminal-proxy.test.ts; the health check's: test/storage-health-swarm.test.ts.
// The lab is brought up (or reused) and left up; node 3's engine is stopped and started again.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createAgentClient } from '../src/agent/http-client.js';
import { newKeyText } from '../src/agent/keys.js';
import { createSwarmRuntime, type SwarmRuntime } from '../src/runtime/swarm/index.js';
import { runTether } from './helpers/cli.js';
import { execIn } from './helpers/docker.js';
import { makeApi, type Api } from './helpers/http-api.js';
import { eventually } from './helpers/sessions.js';
import { startSwarmLab, swarmLabUnavailable, type SwarmLab } from './helpers/swarm-lab.js';
import { freePort, login, startTetherServer, type ServerProcess } from './helpers/tether-server.js';

const execFileAsync = promisify(execFile);
const LAB_SCRIPT = join(import.meta.dirname, '..', 'scripts', 'lab', 'swarm-lab.sh');
const ALL_USERS_GROUP_ID = '00000000-0000-4000-8000-000000000002';
const NODE_ADDR = (n: number) => `198.18.213.1${n}`;
const MAPPING_TIMEOUT_S = 3;
const unavailable = swarmLabUnavailable();

interface SessionJson {
  id: string; state: string; container_id: string | null;
  error: { class: string; message: string } | null;
  node: { id: string; hostname: string; zone: string | null } | null;
  placement: { reason: string; tried: Array<{ node: string; outcome: string }> } | null;
}

/** the sftp-server processes of the lab's sshd that serve node N's SSHFS mount of the share */
function sftpServersOf(n: number): number[] {
  const out = execFileSync('ss', ['-Htnp', 'state', 'established', '( sport = :2222 )'], { encoding: 'utf8' });
  const holders = new Set<number>();
  for (const line of out.split('\n').filter((l) => l.includes(`${NODE_ADDR(n)}:`))) {
    for (const m of line.matchAll(/pid=(\d+)/g)) holders.add(Number(m[1]));
  }
  const found: number[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const comm = /\((.*)\)/.exec(stat)?.[1];
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (comm === 'sftp-server' && holders.has(ppid)) found.push(Number(pid));
    } catch { /* gone meanwhile */ }
  }
  return found;
}

if (unavailable) {
  describe('multi-host scenarios on the swarm lab', () => {
    it(`skipped: ${unavailable}`, { skip: unavailable }, () => undefined);
  });
} else {
  describe('multi-host scenarios on the swarm lab (three nodes, deployed agents, shared SSHFS)', { timeout: 900_000 }, () => {
    const base = mkdtempSync('/tmp/tether-swarm-scenarios-');
    const run = `sc${process.pid}`;
    const dataDir = join(base, 'data');
    let lab: SwarmLab;
    let runtime: SwarmRuntime;
    let server: ServerProcess | undefined;
    let port = 0;
    let token = '';
    let api: Api;
    const stopped: number[] = [];
    const launched: string[] = [];

    async function startServer(): Promise<void> {
      server = await startTetherServer({ port, dataDir, database: join(dataDir, 'tether.db'), env: lab.env });
      token = await login(server.url);
      api = makeApi(server.url, token);
    }

    async function launch(image: string, user: string): Promise<string> {
      const r = await api('POST', '/sessions', { image, user });
      assert.equal(r.status, 201, r.text);
      launched.push(r.json.id);
      return r.json.id as string;
    }

    async function session(id: string): Promise<SessionJson> {
      const r = await api('GET', `/sessions/${id}`);
      assert.equal(r.status, 200, r.text);
      return r.json as SessionJson;
    }

    async function settled(id: string, states: string[], timeoutMs = 60_000): Promise<SessionJson> {
      return eventually(async () => {
        const s = await session(id);
        return states.includes(s.state) ? s : null;
      }, timeoutMs, `session ${id} to reach ${states.join('|')}`);
    }

    async function running(image: string, user: string): Promise<SessionJson> {
      const s = await settled(await launch(image, user), ['running', 'failed']);
      assert.equal(s.state, 'running', JSON.stringify(s.error));
      return s;
    }

    /** runs a command as uid 1000 in the session's container, through the engine of its node */
    async function execInSession(s: SessionJson, cmd: string[]): Promise<{ code: number; output: string }> {
      const where = await runtime.locate(s.container_id as string);
      assert.ok(where, `session ${s.id} has a running task`);
      const engine = lab.nodes.get(where.nodeId);
      assert.ok(engine, `its node ${where.nodeId} is a lab node`);
      return execIn(engine, where.containerId, cmd, '1000:1000');
    }

    before(async () => {
      lab = await startSwarmLab();
      assert.ok(lab.env.TETHER_AGENT_KEY_FILE, 'the lab prints the agent key file');
      runtime = createSwarmRuntime({ dockerHost: lab.env.DOCKER_HOST });
      port = await freePort();
      await startServer();
      const shared = lab.env.SWARM_LAB_SHARED as string;
      const m = { bind: '/shared', uid: 1000, gid: 1000, timeout: MAPPING_TIMEOUT_S };
      for (const [name, zones] of [[`${run}-any`, []], [`${run}-b`, ['zone-b']]] as const) {
        const r = await api('POST', '/images', {
          name, docker_image: lab.env.SWARM_LAB_IMAGE, zones, user: '1000:1000',
          // usernames carry this run's prefix: the users' folders are this run's own
          volume_mappings: { [`${shared}/{username}`]: m, [`${lab.env.SWARM_LAB_LOCAL}/{username}`]: { bind: '/local', uid: 1000, gid: 1000, required: false } },
        });
        assert.equal(r.status, 201, r.text);
      }
      const g = await api('PATCH', `/groups/${ALL_USERS_GROUP_ID}`, { settings: { max_sessions_per_user: 5 } });
      assert.equal(g.status, 200, g.text);
      for (const u of ['alice', 'bob', 'carol', 'dave', 'erin', 'frank']) {
        const r = await api('POST', '/users', { username: `${run}-${u}`, password: 'scenario-password-1234' });
        assert.equal(r.status, 201, r.text);
      }
    });

    after(async () => {
      for (const n of [1, 2, 3]) for (const pid of sftpServersOf(n)) { try { process.kill(pid, 'SIGCONT'); } catch { /* gone */ } }
      if (lab) {
        for (const n of [1, 2, 3]) await lab.manager.getNode(lab.nodeIds[n - 1] as string).inspect()
          .then((info: { Version: { Index: number }; Spec: Record<string, unknown> }) => lab.manager.getNode(lab.nodeIds[n - 1] as string)
            .update({ ...info.Spec, Availability: 'active', version: info.Version.Index }))
          .catch(() => undefined);
        if (stopped.length > 0) await execFileAsync('bash', [LAB_SCRIPT, 'up'], { timeout: 600_000 }).catch(() => undefined);
      }
      if (server) {
        for (const id of launched) await api('DELETE', `/sessions/${id}`).catch(() => undefined);
        await server.kill('SIGTERM');
      }
      if (lab) for (const d of readdirSync(lab.env.SWARM_LAB_SHARED as string).filter((x) => x.startsWith(`${run}-`))) rmSync(join(lab.env.SWARM_LAB_SHARED as string, d), { recursive: true, force: true });
      rmSync(base, { recursive: true, force: true });
    });

    let alice1: SessionJson;
    let alice2: SessionJson;
    let bob: SessionJson;

    it('sessions spread over the three nodes; a file written on one node is read on another through the shared {username} mapping', async () => {
      alice1 = await running(`${run}-any`, `${run}-alice`);
      const wrote = await execInSession(alice1, ['sh', '-c', `echo "from ${alice1.node?.hostname}" > /shared/note && cat /shared/note`]);
      assert.equal(wrote.code, 0, wrote.output);
      // least loaded first: the same user's next session goes to another node
      alice2 = await running(`${run}-any`, `${run}-alice`);
      assert.notEqual(alice2.node?.id, alice1.node?.id);
      const read = await execInSession(alice2, ['cat', '/shared/note']);
      assert.equal(read.output.trim(), `from ${alice1.node?.hostname}`);
      bob = await running(`${run}-any`, `${run}-bob`);
      assert.deepEqual(new Set([alice1, alice2, bob].map((s) => s.node?.hostname)), new Set(['tslab-n1', 'tslab-n2', 'tslab-n3']));
      for (const s of [alice1, alice2, bob]) {
        assert.equal((await runtime.locate(s.container_id as string))?.nodeId, s.node?.id, 'the task runs where the session says');
        assert.match(s.placement?.reason ?? '', /least loaded/);
      }
      // the node-local folder is each node's own: alice's two sessions do not share it
      await execInSession(alice1, ['sh', '-c', 'echo mine > /local/x']);
      assert.notEqual((await execInSession(alice2, ['cat', '/local/x'])).code, 0, 'node-local data does not follow the user');
    });

    it('the health check flags the node-local folder and passes the shared one', async () => {
      const r = await api('GET', '/storage/health?timeout_ms=5000');
      assert.equal(r.status, 200, r.text);
      const verdict = (p: string) => (r.json.paths as Array<{ path: string; verdict: string }>).find((x) => x.path === p)?.verdict;
      assert.equal(verdict(lab.env.SWARM_LAB_SHARED as string), 'shared');
      assert.equal(verdict(lab.env.SWARM_LAB_LOCAL as string), 'not_shared');
    });

    it('a shell into a session on a worker node (through its agent)', async () => {
      const onWorker = [alice1, alice2, bob].find((s) => s.node?.id !== lab.nodeIds[0]) as SessionJson;
      const sh = await runTether(['session', 'shell', onWorker.id], {
        env: { TETHER_URL: server!.url, TETHER_TOKEN: token }, stdin: 'cat /shared/note; echo "node $(cat /local/x 2>/dev/null || echo clean)"; exit\n', timeoutMs: 30_000,
      });
      assert.equal(sh.code, 0, sh.stderr + sh.stdout);
      assert.match(sh.stdout, new RegExp(`from ${alice1.node?.hostname}`));
    });

    it('storage hung on node 3: a launch that can only go there fails within the mapping timeout; the API and launches elsewhere go on', async () => {
      const pids = sftpServersOf(3);
      assert.ok(pids.length > 0, 'the sftp-server serving node 3 is found');
      for (const pid of pids) process.kill(pid, 'SIGSTOP');
      try {
        const t0 = Date.now();
        const id = await launch(`${run}-b`, `${run}-carol`);
        const apiT0 = Date.now();
        assert.equal((await api('GET', '/sessions')).status, 200);
        const apiMs = Date.now() - apiT0;
        const elsewhere = running(`${run}-any`, `${run}-dave`);
        const failed = await settled(id, ['running', 'failed'], 60_000);
        const ms = Date.now() - t0;
        assert.equal(failed.state, 'failed');
        assert.match(`${failed.error?.class} ${failed.error?.message}`, /timeout/);
        assert.match(failed.error?.message ?? '', /tslab-n3/);
        assert.ok(ms < MAPPING_TIMEOUT_S * 1000 + 10_000, `failed after ${ms} ms (mapping timeout ${MAPPING_TIMEOUT_S} s)`);
        assert.ok(apiMs < 2000, `the API answered in ${apiMs} ms during the hang`);
        const dave = await elsewhere;
        assert.notEqual(dave.node?.hostname, 'tslab-n3', `placed on ${dave.node?.hostname}: ${dave.placement?.reason}`);
        console.log(`hung storage: launch failed after ${ms} ms; API answered in ${apiMs} ms; dave ran on ${dave.node?.hostname} (${JSON.stringify(dave.placement?.tried)})`);
      } finally {
        for (const pid of pids) process.kill(pid, 'SIGCONT');
      }
    });

    it('a drained node gets no new sessions and its sessions are reported', async () => {
      const victim = alice2;
      const nodeId = victim.node?.id as string;
      const node = lab.manager.getNode(nodeId);
      const info = (await node.inspect()) as { Version: { Index: number }; Spec: Record<string, unknown> };
      await node.update({ ...info.Spec, Availability: 'drain', version: info.Version.Index });
      try {
        const s = await running(`${run}-any`, `${run}-erin`);
        assert.notEqual(s.node?.id, nodeId, 'nothing new on the drained node');
        const reported = await settled(victim.id, ['failed', 'lost'], 90_000);
        assert.ok(reported.error, `the session on the drained node says why: ${JSON.stringify(reported)}`);
        const nodes = await runTether(['node', 'list', '--json'], { env: { TETHER_URL: server!.url, TETHER_TOKEN: token } });
        assert.equal(nodes.code, 0, nodes.stderr);
        assert.match(nodes.stdout, /drain/);
      } finally {
        const again = (await node.inspect()) as { Version: { Index: number }; Spec: Record<string, unknown> };
        await node.update({ ...again.Spec, Availability: 'active', version: again.Version.Index });
      }
    });

    it('a node whose engine stopped gets no new sessions; its session is lost, then settled when the node is back', async () => {
      const onN3 = [alice1, bob].find((s) => s.node?.hostname === 'tslab-n3')
        ?? await (async () => (await running(`${run}-b`, `${run}-frank`)))();
      assert.equal(onN3.node?.hostname, 'tslab-n3');
      stopped.push(3);
      await execFileAsync('bash', [LAB_SCRIPT, 'stop-node', '3'], { timeout: 120_000 });
      const lost = await settled(onN3.id, ['lost'], 120_000);
      assert.match(lost.error?.message ?? '', /tslab-n3/);
      const s = await running(`${run}-any`, `${run}-frank`);
      assert.notEqual(s.node?.hostname, 'tslab-n3');
      const noNode = await settled(await launch(`${run}-b`, `${run}-frank`), ['failed', 'running']);
      assert.equal(noNode.state, 'failed');
      assert.match(noNode.error?.message ?? '', /no node can take this session: .*tslab-n3: (down|disconnected|agent did not answer)/);
      await execFileAsync('bash', [LAB_SCRIPT, 'up'], { timeout: 600_000 });
      stopped.pop();
      // its container went with the engine: the session is settled as failed, never forgotten
      const back = await settled(onN3.id, ['failed', 'running'], 120_000);
      assert.equal(back.state, 'failed', JSON.stringify(back));
      assert.match(back.error?.message ?? '', /came back|vanished|tslab-n3/);
    });

    it('a restart of the server reconciles across the nodes', async () => {
      const keep = await running(`${run}-any`, `${run}-bob`);
      const gone = await running(`${run}-any`, `${run}-dave`);
      await server!.kill('SIGKILL');
      // while the server is down, one session's service disappears
      await lab.manager.getService(gone.container_id as string).remove();
      await startServer();
      const settledGone = await settled(gone.id, ['failed'], 60_000);
      assert.ok(settledGone.error);
      assert.equal((await session(keep.id)).state, 'running');
      assert.equal((await runtime.locate(keep.container_id as string))?.nodeId, keep.node?.id);
    });

    it('the deployed agents refuse a missing or forged credential', async () => {
      for (const n of [1, 2, 3]) {
        const res = await fetch(`http://${NODE_ADDR(n)}:7710/v1/ping`);
        assert.equal(res.status, 401, `node ${n} without a signature`);
        const forged = createAgentClient({ url: `http://${NODE_ADDR(n)}:7710`, keys: () => ({ current: Buffer.from(newKeyText()) }) });
        try {
          await assert.rejects(forged.ping(), /401|unauthori|refused|key/i, `node ${n} with another key`);
        } finally {
          forged.close();
        }
        const real = createAgentClient({ url: `http://${NODE_ADDR(n)}:7710`, keys: () => ({ current: Buffer.from(readFileSync(lab.env.TETHER_AGENT_KEY_FILE as string, 'utf8').split('\n')[0] as string) }) });
        try {
          assert.equal((await real.ping()).nodeId, lab.nodeIds[n - 1], `node ${n} answers the lab's key`);
        } finally {
          real.close();
        }
      }
    });
  });
}
