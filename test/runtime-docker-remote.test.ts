// The Docker backend through a DOCKER_HOST that is not a local socket: a loopback TCP proxy to
// the real engine's socket stands in for a remote engine. The runtime must treat it as remote
// (local = false), pass the whole Runtime contract that way, and host preparation must then go
// through helper containers on that engine.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect, createServer, type Socket } from 'node:net';
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createDockerRuntime, type DockerRuntime } from '../src/runtime/docker/index.js';
import { createHostPreparer } from '../src/hostprep/index.js';
import { ensureDocker, execIn, removeSessionsWithPrefix, TEST_IMAGE } from './helpers/docker.js';
import { runtimeContract } from './runtime-contract.js';

interface EngineProxy {
  /** tcp://127.0.0.1:PORT, piped to the local engine socket */
  dockerHost: string;
  close(): Promise<void>;
}

async function startEngineProxy(): Promise<EngineProxy> {
  const sockets = new Set<Socket>();
  const proxy = createServer((client) => {
    const engine = connect('/var/run/docker.sock');
    sockets.add(client).add(engine);
    client.pipe(engine).pipe(client);
    const drop = (): void => {
      client.destroy();
      engine.destroy();
      sockets.delete(client);
      sockets.delete(engine);
    };
    client.on('error', drop).on('close', drop);
    engine.on('error', drop).on('close', drop);
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  const port = (proxy.address() as { port: number }).port;
  return {
    dockerHost: `tcp://127.0.0.1:${port}`,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((r) => proxy.close(r));
    },
  };
}

runtimeContract('docker over tcp://', async () => {
  await ensureDocker();
  const proxy = await startEngineProxy();
  const runtime = createDockerRuntime({ dockerHost: proxy.dockerHost, removeStopSeconds: 0 });
  return {
    runtime,
    // through the proxy too: everything this backend does goes over tcp://
    exec: (id, cmd) => execIn(runtime.docker, id, cmd),
    image: TEST_IMAGE,
    async cleanup(prefix) {
      await removeSessionsWithPrefix(runtime.docker, prefix);
      await proxy.close();
    },
  };
});

describe('docker runtime over tcp:// (a stand-in remote engine)', () => {
  let proxy: EngineProxy;
  let runtime: DockerRuntime;
  const base = mkdtempSync('/tmp/tether-remote-');

  before(async () => {
    await ensureDocker();
    proxy = await startEngineProxy();
    runtime = createDockerRuntime({ dockerHost: proxy.dockerHost, removeStopSeconds: 0 });
  });
  after(async () => {
    await proxy?.close();
    rmSync(base, { recursive: true, force: true });
  });

  it('is seen as remote, and host preparation goes through the engine', async () => {
    assert.equal(runtime.local, false);
    assert.match((await runtime.engineVersion()).apiVersion, /^1\./);
    const preparer = createHostPreparer({ runtime, helperImage: TEST_IMAGE });
    assert.equal(preparer.kind, 'engine');
    mkdirSync(`${base}/share`);
    const r = await preparer.prepare({ hostPath: `${base}/share/alice`, fixedPrefix: `${base}/share`, uid: 1000, gid: 1000, skipCheck: false, timeoutMs: 20_000, session: 'remote' });
    assert.deepEqual(r.ok && [r.realPath, r.created], [`${base}/share/alice`, [`${base}/share/alice`]], JSON.stringify(r));
    assert.equal(statSync(`${base}/share/alice`).uid, 1000);
    assert.equal(r.ok && statSync(r.source).ino, statSync(`${base}/share/alice`).ino, 'the stage shows the prepared folder');
    await preparer.release('remote');
    await preparer.close();
  });
});
