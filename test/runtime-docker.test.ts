// The Docker backend against the real engine: the Runtime contract, pulls from a real registry
// (with and without htpasswd auth), and create aborted while the engine hangs on a bind source.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Duplex } from 'node:stream';
import { createDockerRuntime, type DockerRuntime } from '../src/runtime/docker/index.js';
import { isRuntimeError } from '../src/runtime/errors.js';
import type { PullProgress } from '../src/runtime/types.js';
import { SESSION_NETWORK } from '../src/runtime/hardening.js';
import { dockerClient, ensureDocker, execIn, removeLabelled, removeSessionsWithPrefix, TEST_IMAGE, uniqueName } from './helpers/docker.js';
import { startRegistry, type TestRegistry } from './helpers/registry.js';
import { startSshfsExport, type SshfsExport } from './helpers/sshfs.js';
import { runtimeContract } from './runtime-contract.js';

/** The echo server started in the background may take a moment to listen. */
async function eventuallyDial(runtime: DockerRuntime, id: string, port: number): Promise<Duplex> {
  for (let i = 0; ; i++) {
    try {
      return await runtime.dial(id, port);
    } catch (err) {
      if (i >= 50 || !isRuntimeError(err, 'unavailable')) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

runtimeContract('docker', async () => {
  await ensureDocker();
  const docker = dockerClient();
  return {
    runtime: createDockerRuntime({ docker, removeStopSeconds: 0 }),
    exec: (id, cmd) => execIn(docker, id, cmd),
    image: TEST_IMAGE,
    cleanup: (prefix) => removeSessionsWithPrefix(docker, prefix),
  };
});

describe('docker runtime: images and hanging sources', () => {
  const docker = dockerClient();
  let runtime: DockerRuntime;
  const registries: TestRegistry[] = [];
  const pulled: string[] = [];

  before(async () => {
    await ensureDocker();
    runtime = createDockerRuntime({ docker, removeStopSeconds: 0 });
  });
  after(async () => {
    await Promise.all(pulled.map((ref) => docker.getImage(ref).remove().catch(() => undefined)));
    await Promise.all(registries.map((r) => r.stop()));
  });

  it('feature-detects the engine API version', async () => {
    const v = await runtime.engineVersion();
    assert.match(v.apiVersion, /^1\.\d+$/);
    assert.equal(runtime.local, true);
  });

  it('pulls a missing image from a real registry, reporting progress; present images are not pulled', async () => {
    const reg = await startRegistry();
    registries.push(reg);
    const ref = await reg.pushTestImage(docker, uniqueName('tether-test/pull'));
    pulled.push(ref);
    const events: PullProgress[] = [];
    await runtime.ensureImage(ref, { onProgress: (p) => events.push(p) });
    assert.ok(events.some((e) => /Pull complete|Downloaded newer image/.test(e.status)), JSON.stringify(events));
    assert.ok(events.some((e) => e.status === 'Pulling fs layer'), 'a layer was really downloaded');
    await docker.getImage(ref).inspect();
    const again: PullProgress[] = [];
    await runtime.ensureImage(ref, { onProgress: (p) => again.push(p) });
    assert.equal(again.length, 0, 'no pull for an image already present');
  });

  it('pulls from a registry that requires credentials only with the right ones', async () => {
    const reg = await startRegistry({ auth: { username: 'tether', password: 'pull-secret-1' } });
    registries.push(reg);
    const ref = await reg.pushTestImage(docker, uniqueName('tether-test/private'));
    pulled.push(ref);
    await assert.rejects(runtime.ensureImage(ref, {}), (err) => isRuntimeError(err, 'pull_failed') && /auth/.test(err.message));
    await assert.rejects(runtime.ensureImage(ref, { auth: { ...reg.auth!, password: 'wrong' } }), (err) => isRuntimeError(err, 'pull_failed'));
    await runtime.ensureImage(ref, { auth: reg.auth });
    await docker.getImage(ref).inspect();
  });

  it('abandons a pull from a registry that stopped answering when the signal fires', async () => {
    const reg = await startRegistry();
    registries.push(reg);
    const ref = await reg.pushTestImage(docker, uniqueName('tether-test/stalled'));
    pulled.push(ref);
    reg.hang();
    try {
      const t0 = Date.now();
      await assert.rejects(runtime.ensureImage(ref, { signal: AbortSignal.timeout(1000) }), (err) => isRuntimeError(err, 'aborted'));
      const elapsed = Date.now() - t0;
      assert.ok(elapsed >= 900 && elapsed < 4000, `pull returned after ${elapsed} ms, expected about 1000 ms`);
    } finally {
      reg.resume();
    }
  });

  it('fails an unknown image as image_not_found or pull_failed', async () => {
    const reg = registries[0]!;
    await assert.rejects(runtime.ensureImage(`${reg.host}/tether-test/never-pushed:1`, {}), (err) => isRuntimeError(err, 'image_not_found') || isRuntimeError(err, 'pull_failed'));
  });

  it('abandons a create hung on a bind source on hung storage, and the late container can be found and removed', async () => {
    const nas: SshfsExport = await startSshfsExport();
    const sessionId = uniqueName('hangcreate');
    try {
      nas.hang();
      const ac = new AbortController();
      const t0 = Date.now();
      const timer = setTimeout(() => ac.abort(new Error('deadline')), 1000);
      await assert.rejects(
        runtime.create({
          name: `tether-${sessionId}`, image: TEST_IMAGE, user: null, sessionId, userId: 'u', imageId: 'i', cores: null, memory: null,
          mounts: [{ source: nas.mountDir, target: '/nas', readOnly: false }],
        }, ac.signal),
        (err) => isRuntimeError(err, 'aborted'),
      );
      clearTimeout(timer);
      assert.ok(Date.now() - t0 < 4000, 'create returned at the abort, not when the storage came back');
      // meanwhile the engine still serves other requests
      await runtime.list();
    } finally {
      nas.resume();
    }
    // the engine finishes the abandoned create once the storage answers: the caller cleans up
    let late;
    for (let i = 0; i < 40 && !late; i++) {
      late = await runtime.findBySession(sessionId);
      if (!late) await new Promise((r) => setTimeout(r, 100));
    }
    try {
      if (late) await runtime.remove(late.id);
      assert.equal(await runtime.findBySession(sessionId), undefined);
    } finally {
      await removeLabelled(docker, `tether.session=${sessionId}`);
      await nas.teardown();
    }
  });

  it('runs a command in a container (stdout, stderr and stdin apart, its exit code)', async () => {
    const sessionId = uniqueName('exec');
    const id = await runtime.create({ name: `tether-${sessionId}`, image: TEST_IMAGE, user: '1000:1000', sessionId, userId: 'u', imageId: 'i', cores: null, memory: null, mounts: [] });
    try {
      await runtime.start(id);
      const exec = await runtime.exec(id, { cmd: ['sh', '-c', 'read line; echo "out:$line:$(id -u)"; echo err >&2; exit 3'], tty: false, stdin: true });
      const collect = (s: NodeJS.ReadableStream | null) => new Promise<string>((resolve) => {
        let text = '';
        s?.on('data', (c: Buffer) => { text += c.toString(); });
        s?.once('end', () => resolve(text));
      });
      const [out, err] = [collect(exec.output), collect(exec.stderr)];
      exec.write(Buffer.from('hello\n'));
      exec.endInput();
      assert.equal(await out, 'out:hello:1000\n', 'stdout alone, as the container user');
      assert.equal(await err, 'err\n');
      assert.equal(await exec.exitCode(), 3);
      exec.close();
      await assert.rejects(runtime.exec('no-such-container', { cmd: ['true'], tty: false, stdin: false }), (e) => isRuntimeError(e, 'not_found'));
    } finally {
      await runtime.remove(id);
    }
  });

  it('dials a port of the container on the sessions network: a stream both ways; refused, gone, stopped and aborted told apart', async () => {
    const sessionId = uniqueName('dial');
    const id = await runtime.create({ name: `tether-${sessionId}`, image: TEST_IMAGE, user: '1000:1000', sessionId, userId: 'u', imageId: 'i', cores: null, memory: null, mounts: [] });
    try {
      await runtime.start(id);
      assert.ok((await docker.getContainer(id).inspect()).NetworkSettings.Networks[SESSION_NETWORK]?.IPAddress, 'the container joined the sessions network');
      await execIn(docker, id, ['sh', '-c', 'nc -ll -p 7000 -e cat >/dev/null 2>&1 &']);
      const stream = await eventuallyDial(runtime, id, 7000);
      const echoed = new Promise<string>((resolve) => {
        let text = '';
        stream.on('data', (c: Buffer) => {
          text += c.toString();
          if (text.includes('\n')) resolve(text);
        });
      });
      stream.write('ping\n');
      assert.equal(await echoed, 'ping\n', 'what is written comes back through the echo in the container');
      stream.destroy();
      await assert.rejects(runtime.dial(id, 7001), (e) => isRuntimeError(e, 'unavailable') && /port 7001: connect ECONNREFUSED/.test((e as Error).message));
      await assert.rejects(runtime.dial(id, 7000, AbortSignal.abort()), (e) => isRuntimeError(e, 'aborted'));
      await assert.rejects(runtime.dial('no-such-container', 7000), (e) => isRuntimeError(e, 'not_found'));
      await runtime.stop(id, { timeoutSeconds: 0 });
      await assert.rejects(runtime.dial(id, 7000), (e) => isRuntimeError(e, 'not_found') && /is not running/.test((e as Error).message));
    } finally {
      await runtime.remove(id);
    }
  });
});
