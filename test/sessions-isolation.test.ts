// Sessions against each other and against the host, on the real engine: every session joins
// the isolated sessions network and is confined by default (capabilities, no-new-privileges,
// pids, memory, CPU); one session cannot open a connection to another while this host (the
// app proxy) reaches both; a fork bomb stays inside its session; an image's overrides apply.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type Dockerode from 'dockerode';
import { sessionLab, type SessionLab } from './helpers/sessions.js';
import { execIn } from './helpers/docker.js';
import { DEFAULT_CAPABILITIES, SESSION_NETWORK } from '../src/runtime/hardening.js';
import type { SessionRecord } from '../src/store/types.js';

const PORT = 8080;
/** every session serves HTTP on PORT so that reaching it can be told from not reaching it */
const SERVE_CMD = ['sh', '-c', `trap "exit 0" TERM; httpd -f -p ${PORT} -h / & sleep 1000000 & wait`];

/** Linux capability numbers, for reading the kernel's own view (/proc/1/status CapBnd). */
const CAP_BITS: Record<string, number> = { CHOWN: 0, DAC_OVERRIDE: 1, FOWNER: 3, KILL: 5, SETGID: 6, SETUID: 7, NET_BIND_SERVICE: 10, NET_RAW: 13, SYS_PTRACE: 19 };
const mask = (caps: readonly string[]) => caps.reduce((m, c) => m | (1n << BigInt(CAP_BITS[c] ?? -1)), 0n);

async function ipOf(docker: Dockerode, s: SessionRecord, network: string): Promise<string> {
  const info = await docker.getContainer(s.container_id as string).inspect();
  const ip = info.NetworkSettings.Networks[network]?.IPAddress;
  assert.ok(ip, `session ${s.session_id} has an address on ${network}: ${JSON.stringify(Object.keys(info.NetworkSettings.Networks))}`);
  return ip;
}

/** From inside `from`: an HTTP request to ip:PORT with busybox nc (3 s); true when an HTTP answer came back. */
async function reaches(docker: Dockerode, from: SessionRecord, ip: string): Promise<{ reached: boolean; output: string }> {
  const r = await execIn(docker, from.container_id as string, ['sh', '-c', `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 3 ${ip} ${PORT}; echo "nc exit $?"`]);
  return { reached: /HTTP\/1\.[01] \d{3}/.test(r.output), output: r.output };
}

/** From this host, like the app proxy: any HTTP answer from ip:PORT. */
async function hostReaches(ip: string): Promise<boolean> {
  return fetch(`http://${ip}:${PORT}/`, { signal: AbortSignal.timeout(5000) }).then(() => true, () => false);
}

describe('sessions are isolated and confined (real engine)', () => {
  let lab: SessionLab;
  before(async () => {
    lab = await sessionLab({ manager: { containerCmd: () => SERVE_CMD } });
  });
  after(async () => lab?.cleanup());

  it('two users\' sessions: each on the sessions network with the default confinement; neither reaches the other; the host reaches both', async () => {
    const image = await lab.image({});
    const [alice, bob] = [await lab.user(), await lab.user()];
    const [a, b] = await Promise.all([lab.launch(alice, image), lab.launch(bob, image)]);
    assert.equal(a.state, 'running', JSON.stringify(a.error));
    assert.equal(b.state, 'running', JSON.stringify(b.error));

    const info = await lab.docker.getContainer(a.container_id as string).inspect();
    assert.equal(info.HostConfig.NetworkMode, SESSION_NETWORK);
    assert.deepEqual(Object.keys(info.NetworkSettings.Networks), [SESSION_NETWORK], 'on the sessions network only (not the default bridge)');
    assert.deepEqual(info.HostConfig.SecurityOpt, ['no-new-privileges']);
    assert.deepEqual(info.HostConfig.CapDrop, ['ALL']);
    assert.deepEqual([...(info.HostConfig.CapAdd ?? [])].sort(), [...DEFAULT_CAPABILITIES].sort());
    assert.equal(info.HostConfig.PidsLimit, 1024);
    assert.equal(info.HostConfig.Memory, 4 * 1024 ** 3);
    assert.equal(info.HostConfig.NanoCpus, 2e9);
    assert.equal(info.HostConfig.Privileged, false);

    // the kernel's view inside the session: exactly the kept capabilities, no new privileges
    const status = (await execIn(lab.docker, a.container_id as string, ['cat', '/proc/1/status'])).output;
    assert.equal(BigInt(`0x${/^CapBnd:\s*([0-9a-f]+)/m.exec(status)?.[1]}`), mask(DEFAULT_CAPABILITIES), status);
    assert.match(status, /^NoNewPrivs:\s*1$/m);

    const net = await lab.docker.getNetwork(SESSION_NETWORK).inspect();
    assert.equal(net.Options?.['com.docker.network.bridge.enable_icc'], 'false');
    assert.equal(net.Labels?.tether, '1');

    const [ipA, ipB] = [await ipOf(lab.docker, a, SESSION_NETWORK), await ipOf(lab.docker, b, SESSION_NETWORK)];
    const aToB = await reaches(lab.docker, a, ipB);
    assert.equal(aToB.reached, false, `alice's session reached bob's app at ${ipB}:${PORT}: ${aToB.output}`);
    assert.match(aToB.output, /nc exit [1-9]/, 'the connection failed rather than answering empty');
    const bToA = await reaches(lab.docker, b, ipA);
    assert.equal(bToA.reached, false, `bob's session reached alice's app: ${bToA.output}`);
    assert.equal(await hostReaches(ipB), true, 'the host (the app proxy) reaches bob\'s app');
    assert.equal(await hostReaches(ipA), true, 'the host reaches alice\'s app');
    // the probe itself works: a session reaches its own app through its address
    assert.equal((await reaches(lab.docker, a, ipA)).reached, true, 'nc probe inside a session reaches its own app');
  });

  it('an image\'s overrides take effect, each one (network, capabilities, no-new-privileges, pids, cores, memory)', async () => {
    const image = await lab.image({}, {
      cores: 0.5, memory: 256 * 1024 ** 2,
      security: { network: 'bridge', cap_add: ['SYS_PTRACE'], cap_drop: ['DAC_OVERRIDE'], no_new_privileges: false, pids_limit: 4096 },
    });
    const [c, d] = await Promise.all([lab.launch(await lab.user(), image), lab.launch(await lab.user(), image)]);
    assert.equal(c.state, 'running', JSON.stringify(c.error));
    assert.equal(d.state, 'running', JSON.stringify(d.error));
    const info = await lab.docker.getContainer(c.container_id as string).inspect();
    const kept = ['CHOWN', 'FOWNER', 'KILL', 'NET_BIND_SERVICE', 'SETGID', 'SETUID', 'SYS_PTRACE'];
    assert.equal(info.HostConfig.NetworkMode, 'bridge');
    assert.deepEqual([...(info.HostConfig.CapAdd ?? [])].sort(), kept);
    assert.deepEqual(info.HostConfig.SecurityOpt ?? [], []);
    assert.equal(info.HostConfig.PidsLimit, 4096);
    assert.equal(info.HostConfig.NanoCpus, 5e8);
    assert.equal(info.HostConfig.Memory, 256 * 1024 ** 2);
    const status = (await execIn(lab.docker, c.container_id as string, ['cat', '/proc/1/status'])).output;
    assert.equal(BigInt(`0x${/^CapBnd:\s*([0-9a-f]+)/m.exec(status)?.[1]}`), mask(kept));
    assert.match(status, /^NoNewPrivs:\s*0$/m);
    // the administrator chose the shared default bridge: there sessions do reach each other
    // (which also shows that the probe of the first test can see a reachable session)
    const cToD = await reaches(lab.docker, c, await ipOf(lab.docker, d, 'bridge'));
    assert.equal(cToD.reached, true, `on the default bridge the probe reaches the other session: ${cToD.output}`);
  });

  it('a fork bomb is contained: the session hits the default pids limit (1024), the host keeps forking', async () => {
    const image = await lab.image({});
    const s = await lab.launch(await lab.user(), image);
    assert.equal(s.state, 'running', JSON.stringify(s.error));
    // 2000 background sleeps, bounded; busybox sh gives up at the first fork the kernel refuses
    const bomb = 'i=0; while [ $i -lt 2000 ]; do sleep 30 & i=$((i+1)); done; echo "all $i started"';
    const r = await execIn(lab.docker, s.container_id as string, ['sh', '-c', bomb]);
    assert.doesNotMatch(r.output, /all 2000 started/, `the session started every process: ${r.output}`);
    assert.match(r.output, /can't fork|Resource temporarily unavailable/i, `fork failures seen inside: ${r.output}`);
    // counted from the host (nothing can fork inside any more)
    const top = await lab.docker.getContainer(s.container_id as string).top();
    assert.ok(top.Processes.length > 1000 && top.Processes.length <= 1024, `processes in the session: ${top.Processes.length} (default limit 1024)`);
    const { stdout } = await promisify(execFile)('sh', ['-c', 'echo host-ok']);
    assert.equal(stdout.trim(), 'host-ok', 'the host still forks');
    const destroyed = await lab.manager.destroy(s.session_id, { user_id: null, username: 'test', isAdmin: true });
    assert.ok(destroyed, 'the bombed session can be destroyed');
  });
});
