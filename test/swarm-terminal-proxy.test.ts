// The terminal and the app proxy for a session on a non-manager swarm node, on the real
// three-node lab (scripts/lab/swarm-lab.sh): the swarm runtime's exec and dial go through the
// agent of the node the session's task runs on. The agents here are `tether agent` run as plain
// processes on the nodes (test/helpers/plain-agent.ts), on a port of their own with a key of
// this test, so the test does not depend on the agent service the lab deploys; the
// shell is the terminal's own (openShell, endShell), the proxying the app proxy's own
// forwarders (forwardHttp, forwardUpgrade) with Runtime.dial as their upstream.
// Then the same end to end: `tether server --runtime swarm` with the agents the lab deployed as
// a global service, the web terminal's WebSocket and the app proxy on the session's own origin.
// The lab is brought up (or reused) and left up: other suites use it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';
import { createSwarmRuntime, type SwarmRuntime } from '../src/runtime/swarm/index.js';
import { isRuntimeError } from '../src/runtime/errors.js';
import { createAgentDirectory } from '../src/agent/http-client.js';
import { newKeyText, writeKeyFile } from '../src/agent/keys.js';
import { openShell } from '../src/terminal/exec-shell.js';
import { endShell } from '../src/terminal/bridge.js';
import { forwardHttp, forwardUpgrade, type Upstream } from '../src/proxy/forward.js';
import { execIn, uniqueName } from './helpers/docker.js';
import { startSwarmLab, swarmLabUnavailable, type SwarmLab } from './helpers/swarm-lab.js';
import { startPlainAgent, type PlainAgent } from './helpers/plain-agent.js';
import { eventually } from './helpers/sessions.js';
import { connectTerminal, enterApp, proxiedUpgrade, rawRequest, stopServer } from './proxy-lab.js';
import { freePort, login, startTetherServer, type ServerProcess } from './helpers/tether-server.js';
import { makeApi, type Api } from './helpers/http-api.js';

const unavailable = swarmLabUnavailable();
let labPromise: Promise<SwarmLab> | undefined;
const labOnce = (): Promise<SwarmLab> => (labPromise ??= startSwarmLab());
const AGENT_PORT = 7791;
const APP_PORT = 8080;
const quiet = { warn: () => undefined };
/**
 * The session's web app (busybox sh behind nc, one process per connection): a plain answer, or
 * for an upgrade a 101 and then every byte echoed back (cat).
 */
const APP = String.raw`cr=$(printf '\r')
up=
while IFS= read -r line; do
  case "$line" in [Uu]pgrade:*) up=1 ;; esac
  [ "$line" = "$cr" ] || [ -z "$line" ] && break
done
if [ -n "$up" ]; then
  printf 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n'
  exec cat
fi
body="app of $RUN"
printf 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %s\r\nConnection: close\r\n\r\n%s' "${'$'}{#body}" "$body"`;


if (unavailable) {
  describe('terminal and app proxy on a swarm node', () => {
    it(`skipped: ${unavailable}`, { skip: unavailable }, () => undefined);
  });
} else {
  describe('terminal and app proxy for a session on a non-manager swarm node, through its agent (real 3-node lab)', { timeout: 300_000 }, () => {
    const run = uniqueName('swterm');
    let lab: SwarmLab;
    let runtime: SwarmRuntime;
    let directory: ReturnType<typeof createAgentDirectory>;
    let keyDir: string;
    const agents: PlainAgent[] = [];
    let proxy: Server;
    let proxyPort: number;
    let serviceId: string;
    let worker: string;

    before(async () => {
      lab = await labOnce();
      keyDir = await mkdtemp(join(tmpdir(), 'tether-agent-key-'));
      const keyFile = join(keyDir, 'agent.key');
      const ring = { current: Buffer.from(newKeyText(), 'utf8') };
      await writeKeyFile(keyFile, ring);
      for (const node of [2, 3]) agents.push(await startPlainAgent({ node, port: AGENT_PORT, keyFile }));
      directory = createAgentDirectory({ keys: () => ring, port: AGENT_PORT });
      runtime = createSwarmRuntime({ dockerHost: lab.env.DOCKER_HOST, stopGraceSeconds: 0, agents: directory });

      worker = lab.nodeIds[1] as string;
      const sessionId = `${run}-s1`;
      serviceId = await runtime.create({
        name: `tether-${sessionId}`, image: lab.env.SWARM_LAB_IMAGE as string, user: '1000:1000', mounts: [], node: worker,
        sessionId, userId: 'u', imageId: 'i', cores: null, memory: null, env: [`RUN=${run}`],
        cmd: ['busybox', 'nc', '-ll', '-p', String(APP_PORT), '-e', 'sh', '-c', APP],
      });

      // the app proxy's forwarders, with the session's container reached through Runtime.dial
      const upstream: Upstream = { port: APP_PORT, dial: (signal) => runtime.dial(serviceId, APP_PORT, signal) };
      proxy = createServer((req, res) => forwardHttp(req, res, upstream));
      proxy.on('upgrade', (req, socket, head) => forwardUpgrade(req, socket, head, upstream));
      await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
      proxyPort = (proxy.address() as { port: number }).port;
    });

    after(async () => {
      if (serviceId) await runtime.remove(serviceId).catch(() => undefined);
      proxy?.close();
      directory?.close();
      for (const a of agents) await a.stop();
      if (keyDir) await rm(keyDir, { recursive: true, force: true });
    });

    it('runs the session on the worker node it was pinned to', async () => {
      const where = await runtime.locate(serviceId);
      assert.equal(where?.nodeId, worker);
      assert.notEqual(worker, lab.nodeIds[0], 'not the manager');
    });

    it('terminal: a shell through the agent writes a file and reads it back, as the session user, on that node', async () => {
      const shell = await openShell(runtime, serviceId, { tty: false });
      assert.ok(shell.pid !== null && shell.pid > 1, 'the shell told its pid (for the kill on close)');
      const out = text(shell.output);
      shell.write(Buffer.from(`echo "note ${run}" > /tmp/note && cat /tmp/note && id -u\nexit 7\n`));
      assert.equal(await out, `note ${run}\n1000\n`);
      assert.equal(await shell.exitCode(), 7);
      shell.close();
      // the file is in the container on the worker, as its own engine sees it
      const where = await runtime.locate(serviceId);
      const seen = await execIn(lab.nodes.get(worker)!, where!.containerId, ['cat', '/tmp/note']);
      assert.equal(seen.output, `note ${run}\n`);
    });

    it("terminal: closing it kills the shell's descendants in the container (the kill runs through the agent too)", async () => {
      const shell = await openShell(runtime, serviceId, { tty: true, cols: 80, rows: 24 });
      let text = '';
      shell.output.on('data', (c: Buffer) => { text += c.toString(); });
      shell.output.resume();
      const marker = `${4000 + Math.floor(Math.random() * 900)}`;
      shell.write(Buffer.from(`sleep ${marker}1 & (sleep ${marker}2 &) ; echo started-$((${marker}+0))\n`));
      await eventually(async () => text.includes(`started-${marker}`), 10_000, 'the background jobs started');
      const where = await runtime.locate(serviceId);
      const ps = async () => (await execIn(lab.nodes.get(worker)!, where!.containerId, ['ps', '-o', 'args'])).output;
      assert.match(await ps(), new RegExp(`sleep ${marker}1`));
      await endShell(shell, quiet);
      const left = await ps();
      assert.doesNotMatch(left, new RegExp(`sleep ${marker}[12]`), left);
    });

    it('app proxy: an HTTP page and a WebSocket upgrade echoing both ways, through the agent', async () => {
      const page = await eventually(async () => {
        const r = await rawRequest(proxyPort, 'app.localhost', '/plain').catch(() => null);
        return r?.status === 200 ? r : null;
      }, 20_000, 'the app answering through the proxy');
      assert.equal(page.body, `app of ${run}`);

      const up = await proxiedUpgrade(proxyPort, 'app.localhost');
      assert.equal(up.status, 101);
      const socket = up.socket!;
      let echoed = '';
      socket.on('data', (c: Buffer) => { echoed += c.toString(); });
      socket.write(`ping-${run}`);
      await eventually(async () => echoed === `ping-${run}`, 10_000, `the echo; got ${JSON.stringify(echoed)}`);
      socket.destroy();
      await up.closed;
    });

    it('dial: a port nothing listens on is unavailable (the proxy shows its "starting" page); a removed session is not found', async () => {
      await assert.rejects(runtime.dial(serviceId, APP_PORT + 1), (e) => isRuntimeError(e, 'unavailable') && /ECONNREFUSED/.test((e as Error).message));
      const gone = await runtime.create({
        name: `tether-${run}-s2`, image: lab.env.SWARM_LAB_IMAGE as string, user: null, mounts: [], node: worker,
        sessionId: `${run}-s2`, userId: 'u', imageId: 'i', cores: null, memory: null,
      });
      await runtime.remove(gone);
      await assert.rejects(runtime.dial(gone, APP_PORT), (e) => isRuntimeError(e, 'not_found'));
      await assert.rejects(runtime.exec(gone, { cmd: ['true'], tty: false, stdin: false }), (e) => isRuntimeError(e, 'not_found'));
    });

    it('a session whose task was started again (a new container) is reached at its new place', async () => {
      const before = await runtime.locate(serviceId);
      await runtime.stop(serviceId);
      await runtime.start(serviceId);
      const now = await runtime.locate(serviceId);
      assert.notEqual(now?.containerId, before?.containerId);
      const page = await eventually(async () => {
        const r = await rawRequest(proxyPort, 'app.localhost', '/again').catch(() => null);
        return r?.status === 200 ? r : null;
      }, 20_000, 'the app answering through the proxy again');
      assert.equal(page.body, `app of ${run}`);
    });
  });

  describe('the same through `tether server --runtime swarm` and the agents the lab deployed', { timeout: 300_000 }, () => {
    const run = uniqueName('swfull');
    let lab: SwarmLab;
    let server: ServerProcess | undefined;
    let api: Api;
    let token: string;
    let dataDir: string;
    let port: number;
    const launched: string[] = [];

    before(async () => {
      lab = await labOnce();
      dataDir = await mkdtemp(join(tmpdir(), 'tether-swfull-'));
      port = await freePort();
      server = await startTetherServer({ port, dataDir, database: join(dataDir, 'tether.db'), env: lab.env });
      token = await login(server.url);
      api = makeApi(server.url, token);
      const image = await api('POST', '/images', { name: run, docker_image: lab.env.SWARM_LAB_IMAGE, web_port: APP_PORT, user: '1000:1000' });
      assert.equal(image.status, 201, image.text);
    });

    after(async () => {
      for (const id of launched) await api('DELETE', `/sessions/${id}`).catch(() => undefined);
      await stopServer(server);
      if (dataDir) await rm(dataDir, { recursive: true, force: true });
    });

    it('a session on a worker node: its terminal writes and reads a file; its app answers a page and an upgrade through the proxy', async () => {
      // least loaded first: of three launches at least two land on workers
      for (let i = 0; i < 3; i++) {
        const r = await api('POST', '/sessions', { image: run });
        assert.equal(r.status, 201, r.text);
        launched.push(r.json.id as string);
      }
      const onWorker = await eventually(async () => {
        for (const id of launched) {
          const s = (await api('GET', `/sessions/${id}`)).json as { id: string; state: string; container_id: string; node: { id: string; hostname: string } | null };
          if (s.state === 'running' && s.node && s.node.id !== lab.nodeIds[0]) return s;
        }
        return null;
      }, 60_000, 'a session running on a worker node');

      const term = await connectTerminal(server!.url, onWorker.id, { authorization: `Bearer ${token}` });
      assert.equal(term.status, 101);
      term.send(`echo "note $((40 + 2)) ${run}" > /tmp/note; cat /tmp/note; hostname\n`);
      await term.waitFor(new RegExp(`note 42 ${run}\n`));
      term.close();

      // the app, started in the container on its node through that node's own engine
      const runtime = createSwarmRuntime({ dockerHost: lab.env.DOCKER_HOST });
      const where = await runtime.locate(onWorker.container_id);
      assert.equal(where?.nodeId, onWorker.node?.id);
      const node = lab.nodeIds.indexOf(where!.nodeId) + 1;
      await promisify(execFile)('docker', ['-H', `unix:///run/tether-swarm-lab/n${node}.sock`, 'exec', '-d', '-e', `RUN=${run}`, '-u', '1000:1000', where!.containerId,
        'busybox', 'nc', '-ll', '-p', String(APP_PORT), '-e', 'sh', '-c', APP], { timeout: 30_000 });

      const cookie = await enterApp(api, port, onWorker.id);
      const host = `s-${onWorker.id}.localhost:${port}`;
      const page = await eventually(async () => {
        const r = await rawRequest(port, host, '/', { cookie });
        return r.status === 200 ? r : null;
      }, 20_000, 'the app answering through the proxy');
      assert.equal(page.body, `app of ${run}`);
      const up = await proxiedUpgrade(port, host, { cookie, origin: `http://${host}` });
      assert.equal(up.status, 101);
      let echoed = '';
      up.socket!.on('data', (c: Buffer) => { echoed += c.toString(); });
      up.socket!.write(`ping-${run}`);
      await eventually(async () => echoed === `ping-${run}`, 10_000, `the echo; got ${JSON.stringify(echoed)}`);
      up.socket!.destroy();
    });
  });
}
