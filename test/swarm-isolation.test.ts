// Sessions on a swarm cannot reach each other nor their node, on the real three-node lab
// (scripts/lab/swarm-lab.sh) with the agents it deploys as a global service: each agent prepared
// its node at start (src/agent/node-sessions.ts: the config-only network the sessions' swarm
// network takes its options from, and the firewall of the sessions' subnet in the node's
// network namespace). The user in a session is hostile: any process, any port. Every refusal
// has its positive control next to it (the listener really answers when asked from where it
// may be), so a test cannot pass because nothing listens.
// The lab is brought up (or reused) and left up: other suites use it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { text } from 'node:stream/consumers';
import { connect } from 'node:net';
import type Dockerode from 'dockerode';
import { createSwarmRuntime, type SwarmRuntime } from '../src/runtime/swarm/index.js';
import { SWARM_SESSION_NETWORK, SwarmSessionNetwork } from '../src/runtime/swarm/session-network.js';
import { SWARM_SESSION_CONFIG } from '../src/runtime/swarm/node-session-network.js';
import { createAgentDirectory } from '../src/agent/http-client.js';
import { readKeyFile } from '../src/agent/keys.js';
import { openShell } from '../src/terminal/exec-shell.js';
import { execIn, uniqueName } from './helpers/docker.js';
import { startSwarmLab, swarmLabUnavailable, type SwarmLab } from './helpers/swarm-lab.js';
import { eventually } from './helpers/sessions.js';

const unavailable = swarmLabUnavailable();
const APP_PORT = 8080;
const NODE_PORT = 7799;
/** how long a session's connection attempt may take before it counts as dropped */
const NC_WAIT_S = 3;

interface Session { id: string; user: string; node: string; containerId: string; ip: string; gateway: string }

/** Reads what a TCP server sends first (the apps here answer at once, then close). */
function readFrom(host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect({ host, port });
    let text = '';
    s.setTimeout(5_000, () => s.destroy(new Error(`no answer from ${host}:${port}`)));
    s.on('data', (c: Buffer) => { text += c.toString(); });
    s.once('end', () => resolve(text));
    s.once('error', reject);
  });
}


if (unavailable) {
  describe('swarm sessions isolation', () => {
    it(`skipped: ${unavailable}`, { skip: unavailable }, () => undefined);
  });
} else {
  describe('sessions on a swarm reach neither each other nor their node (real 3-node lab, deployed agents)', { timeout: 240_000 }, () => {
    const run = uniqueName('swiso');
    let lab: SwarmLab;
    let runtime: SwarmRuntime;
    let directory: ReturnType<typeof createAgentDirectory>;
    let nodeB: string;
    let nodeC: string;
    let nodeBAddr: string;
    const sessions = new Map<string, Session>();
    let listener: ChildProcess | undefined;

    const engineOf = (node: string): Dockerode => lab.nodes.get(node) as Dockerode;
    /** what a process in session `from` gets when it connects to host:port (the other side sends first) */
    async function connectFrom(from: Session, host: string, port: number, send = ''): Promise<string> {
      const r = await execIn(engineOf(from.node), from.containerId,
        ['sh', '-c', 'printf "$3" | nc -w "$2" "$0" "$1"; echo " rc=$?"', host, String(port), String(NC_WAIT_S), send]);
      return r.output;
    }

    async function launch(name: string, node: string): Promise<Session> {
      const sessionId = `${run}-${name}`;
      const id = await runtime.create({
        name: `tether-${sessionId}`, image: lab.env.SWARM_LAB_IMAGE as string, user: '1000:1000', mounts: [], node,
        sessionId, userId: `user-${name}`, imageId: 'i', cores: null, memory: null, env: [`WHO=${name}`],
        cmd: ['busybox', 'nc', '-ll', '-p', String(APP_PORT), '-e', 'sh', '-c', 'echo "app of $WHO"'],
      });
      let containerId = '';
      await eventually(async () => {
        const where = await runtime.locate(id);
        containerId = where?.pid ? where.containerId : '';
        return containerId !== '';
      }, 60_000, `session ${name} running on its node`);
      const info = await engineOf(node).getContainer(containerId).inspect();
      const net = info.NetworkSettings.Networks[SWARM_SESSION_NETWORK];
      assert.ok(net?.IPAddress, `session ${name} has an address on ${SWARM_SESSION_NETWORK}`);
      const s = { id, user: name, node, containerId, ip: net.IPAddress, gateway: net.Gateway };
      sessions.set(name, s);
      return s;
    }
    const session = (name: string): Session => sessions.get(name) as Session;

    before(async () => {
      lab = await startSwarmLab();
      const ring = await readKeyFile(lab.env.TETHER_AGENT_KEY_FILE as string);
      directory = createAgentDirectory({ keys: () => ring });
      runtime = createSwarmRuntime({ dockerHost: lab.env.DOCKER_HOST, stopGraceSeconds: 0, agents: directory });
      // two users on the same node, a third on another: nodes that take tasks now (other suites
      // drain a node or stop its engine for a while), workers first
      const usable = (await runtime.nodes()).filter((n) => n.availability === 'active' && n.state === 'ready')
        .sort((x, y) => Number(x.role === 'manager') - Number(y.role === 'manager'));
      assert.ok(usable.length >= 2, `two nodes of the lab take tasks (${usable.map((n) => n.hostname).join(', ')})`);
      [nodeB, nodeC] = usable.map((n) => n.id) as [string, string];
      nodeBAddr = usable[0]!.addr as string;
      await launch('alice', nodeB);
      await launch('bob', nodeB);
      await launch('carol', nodeC);
      // a real service of node B on every address of its network namespace (the dockerd's)
      const dockerd = (await readFile(`/run/tether-swarm-lab/n${lab.nodeIds.indexOf(nodeB) + 1}/dockerd.pid`, 'utf8')).trim();
      listener = spawn('nsenter', ['-t', dockerd, '-n', process.execPath, '-e',
        `require('node:net').createServer((s) => s.end('node service\\n')).listen(${NODE_PORT}, '0.0.0.0', () => console.log('listening'))`],
      { stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise<void>((resolve, reject) => {
        listener!.stdout!.once('data', () => resolve());
        listener!.once('exit', (code) => reject(new Error(`the node listener exited (${code})`)));
      });
    });

    after(async () => {
      listener?.kill();
      for (const s of sessions.values()) await runtime.remove(s.id).catch(() => undefined);
      directory?.close();
    });

    it("the sessions' network takes inter-container traffic off and its subnet from each node's config-only network", async () => {
      const net = await lab.manager.getNetwork(SWARM_SESSION_NETWORK).inspect() as { Scope: string; ConfigFrom?: { Network: string } };
      assert.equal(net.Scope, 'swarm');
      assert.equal(net.ConfigFrom?.Network, SWARM_SESSION_CONFIG);
      const onNode = await engineOf(nodeB).getNetwork(SWARM_SESSION_NETWORK).inspect() as { Options: Record<string, string>; IPAM: { Config: Array<{ Subnet: string }> } };
      assert.equal(onNode.Options['com.docker.network.bridge.enable_icc'], 'false');
      const config = await engineOf(nodeB).getNetwork(SWARM_SESSION_CONFIG).inspect() as { IPAM: { Config: Array<{ Subnet: string }> } };
      assert.equal(onNode.IPAM.Config[0]?.Subnet, config.IPAM.Config[0]?.Subnet);
      assert.notEqual(session('alice').ip, session('bob').ip);
    });

    it("a session cannot connect to another user's session on the same node; the app proxy's dial and the terminal reach each", async () => {
      const alice = session('alice');
      const bob = session('bob');
      // positive controls: each app answers inside its own session
      assert.match(await connectFrom(alice, '127.0.0.1', APP_PORT), /app of alice/);
      assert.match(await connectFrom(bob, '127.0.0.1', APP_PORT), /app of bob/);
      const toAlice = await connectFrom(bob, alice.ip, APP_PORT);
      assert.doesNotMatch(toAlice, /app of/, `bob reached alice's app: ${toAlice}`);
      assert.match(toAlice, /rc=[1-9]/);
      const toBob = await connectFrom(alice, bob.ip, APP_PORT);
      assert.doesNotMatch(toBob, /app of/, `alice reached bob's app: ${toBob}`);
      // the agent's dial (the app proxy's last hop) into each
      for (const s of [alice, bob]) {
        assert.match(await text(await runtime.dial(s.id, APP_PORT)), new RegExp(`app of ${s.user}`));
      }
      // the terminal (exec through the agent)
      const shell = await openShell(runtime, bob.id, { tty: false });
      const out = text(shell.output);
      shell.write(Buffer.from('echo "terminal of $WHO"\nexit 0\n'));
      assert.equal(await out, 'terminal of bob\n');
      assert.equal(await shell.exitCode(), 0);
      shell.close();
    });

    it("a session cannot connect to a service of its node (on the node's address or the bridge's gateway) nor to the node's agent", async () => {
      const bob = session('bob');
      const nodeAddr = nodeBAddr;
      // positive control: the node's service answers whoever may reach it (this machine, on the lab's switch)
      assert.equal(await readFrom(nodeAddr, NODE_PORT), 'node service\n');
      const gateway = bob.gateway;
      assert.match(gateway, /^\d+\.\d+\.\d+\.\d+$/, "the session's bridge has a gateway address on the node");
      for (const host of [nodeAddr, gateway]) {
        const got = await connectFrom(bob, host, NODE_PORT);
        assert.doesNotMatch(got, /node service/, `a session reached the node's service at ${host}: ${got}`);
        assert.match(got, /rc=[1-9]/);
      }
      // the agent answers anyone who reaches it (401 to an unsigned request): a session must not reach it at all
      assert.equal((await fetch(`http://${nodeAddr}:7710/v1/ping`)).status, 401, 'the agent answers this machine');
      const agent = await connectFrom(bob, nodeAddr, 7710, 'GET /v1/ping HTTP/1.0\\r\\n\\r\\n');
      assert.doesNotMatch(agent, /HTTP\//, `a session reached the node's agent: ${agent}`);
    });

    it("a network made without ConfigFrom (an earlier Tether) is refused while a service uses it, replaced once none does", async () => {
      const name = `${run}-net`;
      await lab.manager.createNetwork({ Name: name, Driver: 'bridge', Scope: 'swarm' } as Dockerode.NetworkCreateOptions);
      // a service on it that runs nowhere (no replica): enough to hold the network
      const holder = await lab.manager.createService({
        Name: `${run}-holder`, Mode: { Replicated: { Replicas: 0 } },
        TaskTemplate: { ContainerSpec: { Image: lab.env.SWARM_LAB_IMAGE as string }, Networks: [{ Target: name }] },
      } as Dockerode.CreateServiceOptions);
      try {
        const network = new SwarmSessionNetwork(lab.manager, name);
        await assert.rejects(network.ensure(), new RegExp(`"${name}" was made without ConfigFrom ${SWARM_SESSION_CONFIG}.*1 still do \\(${run}-holder\\)`));
        await lab.manager.getService(holder.id as string).remove();
        await network.ensure();
        const made = await lab.manager.getNetwork(name).inspect() as { Scope: string; ConfigFrom?: { Network: string } };
        assert.equal(made.ConfigFrom?.Network, SWARM_SESSION_CONFIG);
        assert.equal(made.Scope, 'swarm');
      } finally {
        await lab.manager.getService(holder.id as string).remove().catch(() => undefined);
        await lab.manager.getNetwork(name).remove().catch(() => undefined);
      }
    });

    it('sessions on different nodes cannot reach each other', async () => {
      const alice = session('alice');
      const carol = session('carol');
      assert.match(await connectFrom(carol, '127.0.0.1', APP_PORT), /app of carol/);
      const toAlice = await connectFrom(carol, alice.ip, APP_PORT);
      assert.doesNotMatch(toAlice, /app of alice/, `carol (node C) reached alice (node B): ${toAlice}`);
      const toCarol = await connectFrom(alice, carol.ip, APP_PORT);
      assert.doesNotMatch(toCarol, /app of carol/, `alice (node B) reached carol (node C): ${toCarol}`);
    });
  });
}
