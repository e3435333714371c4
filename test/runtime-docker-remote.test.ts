// The Docker backend through a DOCKER_HOST that is not a local socket: a loopback TCP proxy to
// the real engine's socket stands in for a remote engine. The runtime must treat it as remote
// (local = false), and host preparation must then go through helper containers on that engine.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createDockerRuntime, type DockerRuntime } from '../src/runtime/docker/index.js';
import { createHostPreparer } from '../src/hostprep/index.js';
import { ensureDocker, removeLabelled, TEST_IMAGE, uniqueName } from './helpers/docker.js';

describe('docker runtime over tcp:// (a stand-in remote engine)', () => {
  let proxy: Server;
  const sockets = new Set<Socket>();
  let runtime: DockerRuntime;
  const sessionId = uniqueName('remote');
  const base = mkdtempSync('/tmp/tether-remote-');

  before(async () => {
    await ensureDocker();
    proxy = createServer((client) => {
      const engine = connect('/var/run/docker.sock');
      sockets.add(client).add(engine);
      client.pipe(engine).pipe(client);
      const drop = (): void => {
        client.destroy();
        engine.destroy();
      };
      client.on('error', drop).on('close', drop);
      engine.on('error', drop).on('close', drop);
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const port = (proxy.address() as { port: number }).port;
    runtime = createDockerRuntime({ dockerHost: `tcp://127.0.0.1:${port}`, removeStopSeconds: 0 });
  });
  after(async () => {
    await removeLabelled(createDockerRuntime().docker, `tether.session=${sessionId}`);
    for (const s of sockets) s.destroy();
    await new Promise((r) => proxy.close(r));
    rmSync(base, { recursive: true, force: true });
  });

  it('is seen as remote, and host preparation goes through the engine', async () => {
    assert.equal(runtime.local, false);
    assert.match((await runtime.engineVersion()).apiVersion, /^1\./);
    const preparer = createHostPreparer({ runtime, helperImage: TEST_IMAGE });
    assert.equal(preparer.kind, 'engine');
    mkdirSync(`${base}/share`);
    const r = await preparer.prepare({ hostPath: `${base}/share/alice`, fixedPrefix: `${base}/share`, uid: 1000, gid: 1000, skipCheck: false, timeoutMs: 20_000 });
    assert.deepEqual(r, { ok: true, realPath: `${base}/share/alice`, created: [`${base}/share/alice`] });
    assert.equal(statSync(`${base}/share/alice`).uid, 1000);
    await preparer.close();
  });

  it('creates, starts, finds and removes a session container', async () => {
    const id = await runtime.create({
      name: `tether-${sessionId}`, image: TEST_IMAGE, user: '1000:1000', sessionId, userId: 'u', imageId: 'i', cores: null, memory: null,
      mounts: [{ source: base, target: '/data', readOnly: true }],
    });
    await runtime.start(id);
    assert.equal((await runtime.findBySession(sessionId))?.running, true);
    await runtime.remove(id);
    assert.equal(await runtime.inspect(id), undefined);
  });
});
