// The Swarm backend on a real three-node swarm (scripts/lab/swarm-lab.sh): the Runtime contract
// (every session a one-replica service, exec through the engine of the node its task landed
// on), then what only a swarm has: pinning to a node, node-local versus shared storage, a
// task rejected for a bind source missing on its node, a node that cannot take the task.
// The lab comes up at the start of this file (or is reused when up) and goes down at its end.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createSwarmRuntime, type SwarmRuntime } from '../src/runtime/swarm/index.js';
import { isRuntimeError } from '../src/runtime/errors.js';
import type { ContainerSpec } from '../src/runtime/types.js';
import { execIn, uniqueName } from './helpers/docker.js';
import { startSwarmLab, swarmLabUnavailable, type SwarmLab } from './helpers/swarm-lab.js';
import { runtimeContract } from './runtime-contract.js';

const unavailable = swarmLabUnavailable();
let labPromise: Promise<SwarmLab> | undefined;
const lab = (): Promise<SwarmLab> => (labPromise ??= startSwarmLab());

async function execOnNode(l: SwarmLab, runtime: SwarmRuntime, id: string, cmd: string[]): Promise<{ code: number; output: string }> {
  const where = await runtime.locate(id);
  if (!where) throw new Error(`service ${id} has no running task to exec into`);
  const engine = l.nodes.get(where.nodeId);
  if (!engine) throw new Error(`task of ${id} runs on node ${where.nodeId}, which is not a lab node`);
  return execIn(engine, where.containerId, cmd);
}

async function removeWithPrefix(runtime: SwarmRuntime, prefix: string): Promise<void> {
  const all = await runtime.list();
  await Promise.all(all.filter((c) => (c.sessionId ?? '').startsWith(prefix)).map((c) => runtime.remove(c.id).catch(() => undefined)));
}

if (unavailable) {
  describe('swarm runtime', () => {
    it(`skipped: ${unavailable}`, { skip: unavailable }, () => undefined);
  });
} else {
  after(async () => {
    if (labPromise) await (await labPromise.catch(() => undefined))?.down();
  });

  runtimeContract('swarm', async () => {
    const l = await lab();
    const runtime = createSwarmRuntime({ dockerHost: l.env.DOCKER_HOST, stopGraceSeconds: 0 });
    return {
      runtime,
      createRuns: true,
      exec: (id, cmd) => execOnNode(l, runtime, id, cmd),
      image: l.env.SWARM_LAB_IMAGE as string,
      cleanup: (prefix) => removeWithPrefix(runtime, prefix),
    };
  });

  describe('swarm runtime: nodes, placement and storage', () => {
    let l: SwarmLab;
    let runtime: SwarmRuntime;
    const run = uniqueName('swarmrt');
    let n = 0;
    const spec = (extra: Partial<ContainerSpec>): ContainerSpec => {
      const sessionId = `${run}-s${++n}`;
      return {
        name: `tether-${sessionId}`, image: l.env.SWARM_LAB_IMAGE as string, user: null, mounts: [],
        sessionId, userId: 'u', imageId: 'i', cores: null, memory: null, ...extra,
      };
    };

    before(async () => {
      l = await lab();
      runtime = createSwarmRuntime({ dockerHost: l.env.DOCKER_HOST, stopGraceSeconds: 0 });
    });
    after(async () => {
      if (runtime) await removeWithPrefix(runtime, run);
    });

    it('lists the three nodes with their zones, all active and ready', async () => {
      const nodes = await runtime.nodes();
      assert.deepEqual(nodes.map((x) => [x.hostname, x.zone, x.availability, x.state]), [
        ['tslab-n1', 'zone-a', 'active', 'ready'], ['tslab-n2', 'zone-a', 'active', 'ready'], ['tslab-n3', 'zone-b', 'active', 'ready'],
      ]);
      assert.deepEqual(nodes.map((x) => x.id), l.nodeIds);
    });

    it('pins each session to the chosen node; a file written on node 2 in the shared folder is read on node 3, a node-local one is not', async () => {
      const shared = l.env.SWARM_LAB_SHARED as string;
      const local = l.env.SWARM_LAB_LOCAL as string;
      const dir = `${shared}/${run}`;
      mkdirSync(dir);
      const mounts = [{ source: dir, target: '/shared', readOnly: false }, { source: local, target: '/local', readOnly: false }];
      const [, node2, node3] = l.nodeIds as [string, string, string];
      const writer = await runtime.create(spec({ node: node2, mounts }));
      const reader = await runtime.create(spec({ node: node3, mounts }));
      try {
        assert.equal((await runtime.inspect(writer))?.host, node2);
        assert.equal((await runtime.inspect(reader))?.host, node3);
        assert.equal((await runtime.locate(writer))?.nodeId, node2);
        const w = await execOnNode(l, runtime, writer, ['sh', '-c', `echo shared-from-n2 > /shared/note && echo local-from-n2 > /local/${run}`]);
        assert.equal(w.code, 0, w.output);
        const shared3 = await execOnNode(l, runtime, reader, ['cat', '/shared/note']);
        assert.equal(shared3.output, 'shared-from-n2\n');
        const local3 = await execOnNode(l, runtime, reader, ['cat', `/local/${run}`]);
        assert.notEqual(local3.code, 0, 'node 3 must not see node 2\'s node-local file');
        assert.match((await execOnNode(l, runtime, reader, ['cat', '/local/node-name'])).output, /^tslab-n3$/m);
        assert.match((await execOnNode(l, runtime, writer, ['cat', `/local/${run}`])).output, /^local-from-n2$/m);
        // the host mounts the same share at the same path
        assert.equal(readFileSync(`${dir}/note`, 'utf8'), 'shared-from-n2\n');
      } finally {
        await Promise.all([runtime.remove(writer), runtime.remove(reader)]);
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('reports a bind source missing on the chosen node as bind_source_missing, names the node, and leaves no service', async () => {
      const local = l.env.SWARM_LAB_LOCAL as string;
      const [, node2, node3] = l.nodeIds as [string, string, string];
      // a folder that exists on node 2's own tmpfs only
      const onlyOn2 = await runtime.create(spec({ node: node2, mounts: [{ source: local, target: '/local', readOnly: false }] }));
      const mk = await execOnNode(l, runtime, onlyOn2, ['mkdir', `/local/${run}-only-n2`]);
      assert.equal(mk.code, 0, mk.output);
      await runtime.remove(onlyOn2);
      const s = spec({ node: node3, mounts: [{ source: `${local}/${run}-only-n2`, target: '/x', readOnly: false }] });
      await assert.rejects(runtime.create(s), (err) => isRuntimeError(err, 'bind_source_missing') && err.message.includes(node3) && err.message.includes(`${run}-only-n2`));
      assert.equal(await runtime.findBySession(s.sessionId), undefined);
      // the same source on node 2 is fine
      const ok = await runtime.create(spec({ node: node2, mounts: [{ source: `${local}/${run}-only-n2`, target: '/x', readOnly: false }] }));
      assert.equal((await runtime.inspect(ok))?.running, true);
      await runtime.remove(ok);
    });

    it('refuses a node no task can be placed on (unknown or drained) at once, and a forged node id outright', async () => {
      const s = spec({ node: 'nonode0000000000000000000' });
      await assert.rejects(runtime.create(s), (err) => isRuntimeError(err, 'unavailable') && /no suitable node/.test(err.message));
      assert.equal(await runtime.findBySession(s.sessionId), undefined);
      await assert.rejects(runtime.create(spec({ node: 'x || node.role==manager' })), (err) => isRuntimeError(err, 'bad_request') && /not a Swarm node id/.test(err.message));
      const node3 = l.nodeIds[2] as string;
      await l.manager.getNode(node3).inspect().then((info: { Version: { Index: number }; Spec: object }) =>
        l.manager.getNode(node3).update({ version: info.Version.Index, ...info.Spec, Availability: 'drain' }));
      try {
        await assert.rejects(runtime.create(spec({ node: node3 })), (err) => isRuntimeError(err, 'unavailable') && err.message.includes('drained'));
      } finally {
        await l.manager.getNode(node3).inspect().then((info: { Version: { Index: number }; Spec: object }) =>
          l.manager.getNode(node3).update({ version: info.Version.Index, ...info.Spec, Availability: 'active' }));
      }
    });

    it('resolves the lab image in its registry; an image never pushed is image_not_found', async () => {
      const events: string[] = [];
      await runtime.ensureImage(l.env.SWARM_LAB_IMAGE as string, { onProgress: (p) => events.push(p.status) });
      assert.match(events.join('\n'), /Resolved in the registry: sha256:/);
      await assert.rejects(runtime.ensureImage('198.18.213.1:5000/tether-test/never-pushed:1', {}), (err) => isRuntimeError(err, 'image_not_found'));
    });

    it('stops (scale to zero) and starts again with a fresh task', async () => {
      const id = await runtime.create(spec({ node: l.nodeIds[1] as string }));
      await runtime.stop(id);
      assert.equal((await runtime.inspect(id))?.state, 'exited');
      await runtime.start(id);
      const info = await runtime.inspect(id);
      assert.equal(info?.running, true);
      assert.equal(info?.host, l.nodeIds[1]);
      await runtime.remove(id);
      assert.equal(await runtime.inspect(id), undefined);
    });
  });

  describe('swarm lab', () => {
    it('prints exactly its six assignments (eval-able), naming the swarm runtime and the agents\' key', async () => {
      const l = await lab();
      assert.deepEqual(Object.keys(l.env).sort(), ['DOCKER_HOST', 'SWARM_LAB_IMAGE', 'SWARM_LAB_LOCAL', 'SWARM_LAB_SHARED', 'TETHER_AGENT_KEY_FILE', 'TETHER_RUNTIME']);
      assert.equal(l.env.TETHER_RUNTIME, 'swarm');
      assert.match(l.env.DOCKER_HOST ?? '', /^unix:\/\/\/run\/tether-swarm-lab\/n1\.sock$/);
    });
  });
}
