// The node agent against real components: the real agent server on a loopback port, the local
// Docker engine, real containers (one labelled tether=1 by the Docker runtime, one not), a real
// echo server in a container for dial. Every refusal the issue names: missing, forged, replayed,
// stale and wrong-key signatures (401, logged), a non-Tether container (403), a policy-denied
// path refused by the agent itself, and forged answers the client never trusts.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import type { Duplex } from 'node:stream';
import { text } from 'node:stream/consumers';
import { createAgentClient } from '../src/agent/http-client.js';
import { AgentRefusedError, AgentUnavailableError } from '../src/agent/client.js';
import { newKeyText } from '../src/agent/keys.js';
import { ROUTES, TUNNEL_PROTOCOL, dialPath, execPath } from '../src/agent/protocol.js';
import { HEADER_NONCE, SIGNATURE_WINDOW_MS, signAnswer, signRequest, type KeyRing } from '../src/agent/signing.js';
import { createDockerRuntime } from '../src/runtime/docker/index.js';
import type { ContainerExec } from '../src/runtime/types.js';
import { startTestAgent, type TestAgent } from './helpers/agent.js';
import { TEST_IMAGE, dockerClient, ensureDocker, removeLabelled, uniqueName } from './helpers/docker.js';

const key = (): Buffer => Buffer.from(newKeyText());
const A = key();
const ring: KeyRing = { current: A };
const ECHO = ['busybox', 'nc', '-ll', '-p', '7000', '-e', 'cat'];
const TEST_LABEL = 'tether.test=agent';

interface Raw { status: number; headers: http.IncomingHttpHeaders; body: string }

function raw(url: string, method: string, path: string, headers: Record<string, string>, body?: string): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = http.request({ host: u.hostname, port: u.port, method, path, headers: { ...headers, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve({ status: res.statusCode ?? 0, headers: res.headers, body: '' });
    });
    req.on('error', reject);
    req.end(body);
  });
}


async function readUntil(s: Duplex, expected: string): Promise<string> {
  let text = '';
  const deadline = Date.now() + 10_000;
  while (!text.includes(expected)) {
    if (Date.now() > deadline) throw new Error(`waited for ${JSON.stringify(expected)}, got ${JSON.stringify(text)}`);
    const chunk = await Promise.race([once(s, 'data').then(([c]) => String(c)), new Promise<string>((r) => setTimeout(() => r(''), 200))]);
    text += chunk;
  }
  return text;
}

let agent: TestAgent;
let tetherId: string;
let otherId: string;
let otherPid: number;
const runtime = createDockerRuntime();
const docker = dockerClient();
const client = () => createAgentClient({ url: agent.url, keys: () => ring });

before(async () => {
  await ensureDocker();
  agent = await startTestAgent(ring);
  const session = uniqueName('agent');
  tetherId = await runtime.create({ name: `tether-${session}`, image: TEST_IMAGE, user: null, mounts: [], sessionId: session, userId: 'u-agent-test', imageId: 'i-agent-test', instanceId: `agent-test-${process.pid}`, cores: null, memory: null, cmd: ECHO });
  await runtime.start(tetherId);
  const other = await docker.createContainer({ Image: TEST_IMAGE, Cmd: ECHO, Labels: { 'tether.test': 'agent' } });
  await other.start();
  otherId = other.id;
  otherPid = (await other.inspect()).State.Pid;
});

after(async () => {
  await runtime.remove(tetherId).catch(() => undefined);
  await removeLabelled(docker, TEST_LABEL);
  await agent.close();
});

describe('agent: every request must be signed with the join key (401 otherwise, logged)', () => {
  const body = JSON.stringify({ session: 'agent-refusals' });

  it('missing signature', async () => {
    const r = await raw(agent.url, 'POST', ROUTES.release, {}, body);
    assert.equal(r.status, 401);
    assert.match(JSON.parse(r.body).message, /not signed/);
    assert.ok(agent.logs.some((l) => l.includes('"reason":"missing"') && l.includes('refused a request')), 'the refusal is logged');
  });

  it('wrong key (a credential the agent does not hold)', async () => {
    const r = await raw(agent.url, 'POST', ROUTES.release, signRequest(key(), 'POST', ROUTES.release, body), body);
    assert.equal(r.status, 401);
    assert.match(JSON.parse(r.body).message, /key this agent does not hold/);
  });

  it('forged: the right key id, a signature made otherwise, or a body changed on the way', async () => {
    const signed = signRequest(A, 'POST', ROUTES.release, body);
    const forged = { ...signed, 'x-tether-agent-signature': signRequest(key(), 'POST', ROUTES.release, body)['x-tether-agent-signature'] };
    assert.equal((await raw(agent.url, 'POST', ROUTES.release, forged, body)).status, 401);
    const changed = await raw(agent.url, 'POST', ROUTES.release, signed, JSON.stringify({ session: 'other' }));
    assert.equal(changed.status, 401);
    assert.match(JSON.parse(changed.body).message, /signature is wrong/);
  });

  it('replayed: the same signed request a second time', async () => {
    const signed = signRequest(A, 'POST', ROUTES.release, body);
    assert.equal((await raw(agent.url, 'POST', ROUTES.release, signed, body)).status, 200);
    const again = await raw(agent.url, 'POST', ROUTES.release, signed, body);
    assert.equal(again.status, 401);
    assert.match(JSON.parse(again.body).message, /replay/);
    assert.ok(agent.logs.some((l) => l.includes('"reason":"replayed"')));
  });

  it('stale: signed outside the time window', async () => {
    const signed = signRequest(A, 'POST', ROUTES.release, body, Date.now() - SIGNATURE_WINDOW_MS - 5_000);
    const r = await raw(agent.url, 'POST', ROUTES.release, signed, body);
    assert.equal(r.status, 401);
    assert.match(JSON.parse(r.body).message, /away from the agent's clock/);
  });

  it('upgrades too: exec and dial handshakes without a valid signature get 401 before the engine is asked', async () => {
    const exec = execPath(tetherId, { cmd: ['id'], tty: false, stdin: false });
    const ws = { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' };
    assert.equal((await raw(agent.url, 'GET', exec, ws)).status, 401);
    assert.equal((await raw(agent.url, 'GET', exec, { ...ws, ...signRequest(key(), 'GET', exec) })).status, 401);
    const dial = dialPath(tetherId, 7000);
    assert.equal((await raw(agent.url, 'GET', dial, { connection: 'Upgrade', upgrade: TUNNEL_PROTOCOL })).status, 401);
    const signed = signRequest(A, 'GET', dial);
    const first = await raw(agent.url, 'GET', dial, { connection: 'Upgrade', upgrade: TUNNEL_PROTOCOL, ...signed });
    assert.equal(first.status, 101, 'a valid signature opens the tunnel');
    assert.equal((await raw(agent.url, 'GET', dial, { connection: 'Upgrade', upgrade: TUNNEL_PROTOCOL, ...signed })).status, 401, 'replayed handshake');
  });
});

describe('agent: exec and dial into a Tether container on its engine', () => {
  it('exec without a TTY: stdout and stderr apart, the exit code', async () => {
    const c = client();
    const exec = await c.exec(tetherId, { cmd: ['sh', '-c', 'echo out; echo err >&2; exit 3'], tty: false, stdin: false });
    const [out, err] = await Promise.all([text(exec.output), exec.stderr ? text(exec.stderr) : '']);
    assert.equal(out, 'out\n');
    assert.equal(err, 'err\n');
    assert.equal(await exec.exitCode(), 3);
    c.close();
  });

  it('exec with stdin: what is written comes back, end of input ends the command', async () => {
    const c = client();
    const exec: ContainerExec = await c.exec(tetherId, { cmd: ['cat'], tty: false, stdin: true });
    const out = text(exec.output);
    exec.write(Buffer.from('through the agent'));
    exec.endInput();
    assert.equal(await out, 'through the agent');
    assert.equal(await exec.exitCode(), 0);
    c.close();
  });

  it('exec with a TTY and a resize', async () => {
    const c = client();
    const exec = await c.exec(tetherId, { cmd: ['sh', '-c', 'read x; busybox stty size; echo "got:$x"'], tty: true, stdin: true });
    assert.equal(exec.stderr, null);
    await exec.resize(100, 30);
    await new Promise((r) => setTimeout(r, 300));
    exec.write(Buffer.from('hi\r'));
    const out = await text(exec.output);
    assert.match(out, /30 100/);
    assert.match(out, /got:hi/);
    c.close();
  });

  it("dial: a raw stream to the container's port (an echo server)", async () => {
    const c = client();
    const s = await c.dial(tetherId, 7000);
    s.write('hello through the tunnel\n');
    assert.match(await readUntil(s, 'tunnel'), /hello through the tunnel/);
    s.destroy();
    c.close();
  });

  it('dial to a port nobody listens on fails with the reason', async () => {
    const c = client();
    await assert.rejects(c.dial(tetherId, 7999), (err: unknown) => err instanceof AgentRefusedError && err.status === 502);
    c.close();
  });
});

describe('agent: it acts only on Tether containers and paths the policy allows', () => {
  it('a container without tether=1: exec and dial refused with 403', async () => {
    const c = client();
    await assert.rejects(c.exec(otherId, { cmd: ['id'], tty: false, stdin: false }), (err: unknown) => err instanceof AgentRefusedError && err.status === 403 && /not a Tether session container/.test(err.message));
    await assert.rejects(c.dial(otherId, 7000), (err: unknown) => err instanceof AgentRefusedError && err.status === 403);
    c.close();
  });

  it("verify of a process that is not a Tether container's: refused", async () => {
    const c = client();
    const v = await c.preparer.verify(otherPid, [{ target: '/bin', expected: { dev: 1, ino: 1 } }], 5_000);
    assert.equal(v.ok, false);
    assert.match(!v.ok ? v.message : '', /not the main process of a running Tether session container/);
    const self = await c.preparer.verify(process.pid, [{ target: '/bin', expected: { dev: 1, ino: 1 } }], 5_000);
    assert.equal(self.ok, false, 'not even the agent host\'s own processes');
    c.close();
  });

  it('a missing container is 404, a name instead of an id is 400', async () => {
    const c = client();
    await assert.rejects(c.exec('0'.repeat(64), { cmd: ['id'], tty: false, stdin: false }), (err: unknown) => err instanceof AgentRefusedError && err.status === 404);
    await assert.rejects(c.dial('some-name', 80), (err: unknown) => err instanceof AgentRefusedError && err.status === 400);
    c.close();
  });

  it('a policy-denied path is refused by the agent even in a validly signed request', async () => {
    const c = client();
    for (const [hostPath, fixedPrefix] of [['/etc/tether-agent-test', '/etc'], ['/var/lib/docker/tether-agent-test', '/var/lib/docker'], ['/run/tether/staging/x', '/run']] as Array<[string, string]>) {
      const r = await c.preparer.prepare({ hostPath, fixedPrefix, uid: null, gid: null, skipCheck: false, timeoutMs: 5_000, session: 'agent-policy' });
      assert.equal(r.ok, false, hostPath);
      assert.equal(!r.ok && r.class, 'policy', hostPath);
    }
    // the signed request went through: the refusal is the agent's policy, not the signature
    const signedBody = JSON.stringify({ hostPath: '/etc/x', fixedPrefix: '/etc', uid: null, gid: null, skipCheck: false, timeoutMs: 5_000, session: 'agent-policy' });
    const r = await raw(agent.url, 'POST', ROUTES.prepare, signRequest(A, 'POST', ROUTES.prepare, signedBody), signedBody);
    assert.equal(r.status, 200);
    assert.equal(JSON.parse(r.body).class, 'policy');
    c.close();
  });

  it('the storage check runs on the node: a marker written, read back, removed; a denied path refused', async () => {
    const c = client();
    const dir = mkdtempSync('/var/tmp/tether-agent-probe-');
    try {
      const marker = `m${process.pid}abcdef`;
      const w = await c.preparer.probeStorage!({ path: dir, timeoutMs: 5_000, marker, write: 'from the agent' });
      assert.ok(w.ok && w.exists, JSON.stringify(w));
      assert.equal(readFileSync(`${dir}/.tether-storage-check-${marker}`, 'utf8'), 'from the agent');
      const r = await c.preparer.probeStorage!({ path: dir, timeoutMs: 5_000, marker, read: 'from the agent', remove: true });
      assert.ok(r.ok && r.markerSeen === true, JSON.stringify(r));
      assert.deepEqual(readdirSync(dir), []);
      const denied = await c.preparer.probeStorage!({ path: '/etc', timeoutMs: 5_000 });
      assert.equal(!denied.ok && denied.class, 'policy');
    } finally {
      rmSync(dir, { recursive: true, force: true });
      c.close();
    }
  });

  it('a malformed request is refused with 400 saying where', async () => {
    const body = JSON.stringify({ hostPath: 'relative', fixedPrefix: '/srv', uid: null, gid: null, skipCheck: false, timeoutMs: 5_000, session: '../x' });
    const r = await raw(agent.url, 'POST', ROUTES.prepare, signRequest(A, 'POST', ROUTES.prepare, body), body);
    assert.equal(r.status, 400);
    assert.match(JSON.parse(r.body).message, /prepare: hostPath: expected an absolute path/);
  });
});

describe('client: answers are trusted only with a valid signature', () => {
  let fake: http.Server;
  let fakeUrl = '';
  let answer: (req: http.IncomingMessage, res: http.ServerResponse) => void = () => undefined;
  let upgrade: (req: http.IncomingMessage, socket: Duplex) => void = (_r, s) => s.destroy();

  before(async () => {
    fake = http.createServer((req, res) => answer(req, res));
    fake.on('upgrade', (req, socket) => upgrade(req, socket as Duplex));
    fake.listen(0, '127.0.0.1');
    await once(fake, 'listening');
    const a = fake.address();
    fakeUrl = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
  });
  after(() => fake.close());

  const ping = JSON.stringify({ hostname: 'evil', nodeId: null, version: 'x', engine: 'x' });
  const fakeClient = () => createAgentClient({ url: fakeUrl, keys: () => ring, timeoutMs: 3_000 });

  it('an unsigned answer, one signed with another key, and a replayed one are all rejected', async () => {
    const c = fakeClient();
    answer = (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(ping);
    await assert.rejects(c.ping(), (err: unknown) => err instanceof AgentUnavailableError && err.reason === 'forged-answer');
    answer = (req, res) => res.writeHead(200, { 'content-type': 'application/json', ...signAnswer(key(), 200, String(req.headers[HEADER_NONCE]), ping) }).end(ping);
    await assert.rejects(c.ping(), (err: unknown) => err instanceof AgentUnavailableError && err.reason === 'forged-answer');
    // a genuine answer of the real agent, recorded and played back for a later request
    const signed = signRequest(A, 'GET', ROUTES.ping);
    const genuine = await raw(agent.url, 'GET', ROUTES.ping, signed);
    assert.equal(genuine.status, 200);
    answer = (_req, res) => {
      const h: Record<string, string> = { 'content-type': 'application/json' };
      for (const k of ['x-tether-agent-key', 'x-tether-agent-time', 'x-tether-agent-nonce', 'x-tether-agent-signature']) h[k] = String(genuine.headers[k]);
      res.writeHead(200, h).end(genuine.body);
    };
    await assert.rejects(c.ping(), (err: unknown) => err instanceof AgentUnavailableError && err.reason === 'forged-answer' && /another request/.test(err.message));
    c.close();
  });

  it("a forged prepare answer becomes a failure, never a success the server acts on", async () => {
    const c = fakeClient();
    const fakeOk = JSON.stringify({ ok: true, realPath: '/etc', created: [], source: '/etc', identity: { dev: 1, ino: 1 } });
    answer = (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(fakeOk);
    const r = await c.preparer.prepare({ hostPath: '/srv/x', fixedPrefix: '/srv', uid: null, gid: null, skipCheck: false, timeoutMs: 2_000, session: 's' });
    assert.equal(r.ok, false);
    assert.match(!r.ok ? r.message : '', /answer signature|not signed/);
    c.close();
  });

  it('a forged exec or dial handshake (101 without a valid signature) is not used', async () => {
    const c = fakeClient();
    upgrade = (_req, socket) => socket.write('HTTP/1.1 101 Switching Protocols\r\nconnection: Upgrade\r\nupgrade: websocket\r\nsec-websocket-accept: x\r\n\r\n');
    await assert.rejects(c.exec(tetherId, { cmd: ['id'], tty: false, stdin: false }), (err: unknown) => err instanceof AgentUnavailableError && err.reason === 'forged-answer');
    upgrade = (_req, socket) => socket.write(`HTTP/1.1 101 Switching Protocols\r\nconnection: Upgrade\r\nupgrade: ${TUNNEL_PROTOCOL}\r\n\r\n`);
    await assert.rejects(c.dial(tetherId, 7000), (err: unknown) => err instanceof AgentUnavailableError && err.reason === 'forged-answer');
    c.close();
  });
});

describe('keys: rotation', () => {
  it('an agent holding the new and the previous key answers clients of either; a client falls back to its previous key', async () => {
    const B = key();
    const C = key();
    agent.setKeys({ current: B, previous: A });
    try {
      const old = createAgentClient({ url: agent.url, keys: () => ({ current: A }) });
      assert.equal((await old.ping()).version, 'test');
      agent.setKeys({ current: A });
      const rotated = createAgentClient({ url: agent.url, keys: () => ({ current: C, previous: A }) });
      assert.equal((await rotated.ping()).version, 'test', 'the server rotated first: its previous key still reaches an agent not yet given the new one');
      const alone = createAgentClient({ url: agent.url, keys: () => ({ current: C }) });
      await assert.rejects(alone.ping(), (err: unknown) => err instanceof AgentUnavailableError && err.reason === 'unauthorized');
      for (const c of [old, rotated, alone]) c.close();
    } finally {
      agent.setKeys(ring);
    }
  });
});
