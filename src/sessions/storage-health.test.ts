// The storage health check's multi-node logic in process, every case and the order of the
// marker's steps (the real nodes: test/storage-health-swarm.test.ts on the swarm lab). The nodes
// are simulated, as one process cannot have several mount namespaces: each node's preparer is
// the real local preparer, on real folders, seen through that node's "mounts" (a map from the
// mapped path to a folder), so a shared path is one folder for every node and a node-local path
// a folder per node. A hung node is the preparer's own `timeout` answer (real SSHFS stopped:
// test/hostprep-storage.test.ts, test/storage-health.test.ts).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createLocalHostPreparer, type HostPreparer, type LocalHostPreparer, type StorageProbeRequest } from '../hostprep/index.js';
import { makeGroup, makeImage } from '../../test/helpers/store-records.js';
import { checkPath, verdictOf, type StorageNode, type StorageTarget } from './storage-health.js';
import { storagePaths } from './storage-paths.js';
import { swarmTargets } from './storage-targets.js';
import type { NodeInfo } from '../runtime/swarm/index.js';
import type { AgentClient } from '../agent/client.js';

const base = mkdtempSync('/tmp/tether-storage-health-');
let real: LocalHostPreparer;
const PATH = '/srv/lab/data';
const node = (name: string): StorageNode => ({ id: name, hostname: name, zone: null });

/** A node whose view of PATH is `folder` (a real folder), through the real local preparer. */
function nodeSeeing(name: string, folder: string): StorageTarget {
  const probeStorage = (req: StorageProbeRequest) => real.probeStorage!({ ...req, path: req.path === PATH ? folder : req.path });
  return { node: node(name), preparer: { probeStorage } as unknown as HostPreparer };
}

function hungNode(name: string): StorageTarget {
  const probeStorage = async (req: StorageProbeRequest) => ({ ok: false as const, class: 'timeout' as const, message: `storage check did not finish within ${req.timeoutMs} ms`, ms: req.timeoutMs });
  return { node: node(name), preparer: { probeStorage } as unknown as HostPreparer };
}

const paths = { path: PATH, used_by: [{ kind: 'image' as const, name: 'desk', host_path: `${PATH}/{username}` }] };

before(() => {
  real = createLocalHostPreparer({ minWorkers: 1, maxWorkers: 2 });
});
after(async () => {
  await real.close();
  rmSync(base, { recursive: true, force: true });
});

describe('storage health across nodes (simulated nodes, real folders)', () => {
  it('one folder for every node: shared, the marker written on the first and seen by the others, then removed', async () => {
    const shared = `${base}/shared`;
    mkdirSync(shared);
    const r = await checkPath(paths, [nodeSeeing('n1', shared), nodeSeeing('n2', shared), nodeSeeing('n3', shared)], 5000);
    assert.equal(r.verdict, 'shared', r.message);
    assert.deepEqual(r.nodes.map((n) => [n.node.hostname, n.reachable, n.exists, n.marker]), [['n1', true, true, 'written'], ['n2', true, true, 'seen'], ['n3', true, true, 'seen']]);
    assert.ok(r.nodes.every((n) => typeof n.ms === 'number'));
    assert.deepEqual(r.used_by, paths.used_by);
    assert.deepEqual(readdirSync(shared), [], 'no marker left behind');
  });

  it('a folder per node: not_shared, naming the nodes that do not see the marker', async () => {
    for (const n of ['l1', 'l2', 'l3']) mkdirSync(`${base}/${n}`);
    const r = await checkPath(paths, [nodeSeeing('n1', `${base}/l1`), nodeSeeing('n2', `${base}/l2`), nodeSeeing('n3', `${base}/l3`)], 5000);
    assert.equal(r.verdict, 'not_shared');
    assert.deepEqual(r.nodes.map((n) => n.marker), ['written', 'not_seen', 'not_seen']);
    assert.match(r.message, /n2, n3 do not see the marker written from n1/);
    assert.deepEqual(readdirSync(`${base}/l1`), [], 'the writer removed its marker');
  });

  it('missing on one node: missing, naming it', async () => {
    mkdirSync(`${base}/m`);
    const r = await checkPath(paths, [nodeSeeing('n1', `${base}/m`), nodeSeeing('n2', `${base}/m`), nodeSeeing('n3', `${base}/absent`)], 5000);
    assert.equal(r.verdict, 'missing');
    assert.equal(r.nodes[2]!.exists, false);
    assert.match(r.message, /does not exist on n3/);
  });

  it('hung on one node wins over everything else; the other nodes are still reported', async () => {
    const r = await checkPath(paths, [nodeSeeing('n1', `${base}/m`), hungNode('n2'), nodeSeeing('n3', `${base}/absent`)], 800);
    assert.equal(r.verdict, 'hung');
    assert.match(r.message, /n2/);
    assert.equal(r.nodes[1]!.class, 'timeout');
    assert.equal(r.nodes[0]!.exists, true);
  });

  it('a node whose agent does not answer or whose preparer cannot check: error; a down node is left out', async () => {
    mkdirSync(`${base}/e`);
    const noProbe = { node: node('n3'), preparer: {} as HostPreparer };
    const r = await checkPath(paths, [nodeSeeing('n1', `${base}/e`), { node: node('n2'), unavailable: 'its agent does not answer: timeout' }, { node: node('n4'), skipped: 'node is down' }], 5000);
    assert.equal(r.verdict, 'error');
    assert.deepEqual(r.nodes.map((n) => n.node.hostname), ['n1', 'n2'], 'the skipped node has no row');
    assert.match(r.message, /n2: its agent does not answer/);
    const r2 = await checkPath(paths, [noProbe], 5000);
    assert.equal(r2.verdict, 'error');
    assert.match(r2.nodes[0]!.message ?? '', /not supported/);
  });

  it('verdict order: hung, missing, error, not_shared; no node at all is an error', () => {
    const row = (o: object) => ({ node: node('x'), reachable: true, exists: true, ms: 1, marker: 'seen' as const, class: null, message: null, ...o });
    assert.equal(verdictOf([row({ exists: false }), row({ class: 'timeout' })], undefined).verdict, 'hung');
    assert.equal(verdictOf([row({ marker: 'not_seen' }), row({ exists: false })], undefined).verdict, 'missing');
    assert.equal(verdictOf([row({ marker: 'not_seen' }), row({ class: 'permission', message: 'EACCES' })], undefined).verdict, 'error');
    assert.equal(verdictOf([], undefined).verdict, 'error');
  });
});

describe('storage paths from the mapping documents', () => {
  it('the fixed prefix of every image, group and profile path, once, with every user of it', () => {
    const spec = { bind: '/data', mode: 'rw' as const, required: true, timeout: 10, skip_check: false };
    const images = [
      makeImage({ name: 'desk', volume_mappings: { '/srv/home/{username}': spec, '/srv/share': spec }, persistent_profile_path: '/srv/profiles/{username}/{image_id}' }),
      makeImage({ name: 'term', volume_mappings: { '/srv/home/{user_id}/x': spec } }),
    ];
    const groups = [makeGroup({ name: 'staff', settings: { ...makeGroup().settings, volume_mappings: { '/srv/share': spec } } })];
    assert.deepEqual(storagePaths(images, groups), [
      { path: '/srv/home', used_by: [{ kind: 'image', name: 'desk', host_path: '/srv/home/{username}' }, { kind: 'image', name: 'term', host_path: '/srv/home/{user_id}/x' }] },
      { path: '/srv/profiles', used_by: [{ kind: 'profile', name: 'desk', host_path: '/srv/profiles/{username}/{image_id}' }] },
      { path: '/srv/share', used_by: [{ kind: 'image', name: 'desk', host_path: '/srv/share' }, { kind: 'group', name: 'staff', host_path: '/srv/share' }] },
    ]);
  });
});

describe('swarm targets', () => {
  it('a ready node through its agent, a down node left out, a node whose agent fails ping reported', async () => {
    const info = (id: string, state: NodeInfo['state']): NodeInfo => ({ id, hostname: `h-${id}`, zone: 'z', availability: 'active', state, role: 'worker', addr: `10.0.0.${id.length}` });
    const preparer = {} as HostPreparer;
    const agents = {
      forNode: (n: { id: string }) => n.id === 'noaddr' ? undefined : ({
        preparer,
        ping: async () => {
          if (n.id === 'silent') throw new Error('no answer in time');
          return { hostname: n.id, nodeId: n.id, version: '1', engine: '26' };
        },
      } as unknown as AgentClient),
    };
    const targets = await swarmTargets(async () => [info('a', 'ready'), info('down', 'down'), info('silent', 'ready'), info('noaddr', 'ready')], agents)(AbortSignal.timeout(1000));
    assert.deepEqual(targets[0], { node: { id: 'a', hostname: 'h-a', zone: 'z' }, preparer });
    assert.match((targets[1] as { skipped: string }).skipped, /node is down/);
    assert.match((targets[2] as { unavailable: string }).unavailable, /does not answer: no answer in time/);
    assert.match((targets[3] as { unavailable: string }).unavailable, /no agent/);
  });
});
