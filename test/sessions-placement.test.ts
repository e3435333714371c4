// Placement, retry and lost sessions in process: the real session manager, a real SQLite
// store and the real swarm placement (placement-swarm.ts), over a fake swarm of three nodes:
// their list, their agents (a fake ping and a FakePreparer each) and the fake Runtime of
// test/helpers/fakes.ts. A mock because a node's failure modes (drained, down, an agent that
// does not answer, a share missing on one node only) must be driven on purpose and at once;
// the real lab (test/swarm-scenarios.test.ts, test/sessions-placement-lab.test.ts) shows the same on real nodes.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import pino from 'pino';
import { FakePreparer, FakeRuntime, type CallLog } from './helpers/fakes.js';
import { TEST_ADMIN, worldBasics, type WorldBasics } from './helpers/fake-world.js';
import { makeUser } from './helpers/store-records.js';
import { DEFAULT_POLICY } from '../src/mappings/index.js';
import type { MappingSpec } from '../src/mappings/types.js';
import type { NodeInfo } from '../src/runtime/swarm/index.js';
import type { ContainerInfo } from '../src/runtime/types.js';
import { openStore } from '../src/store/open-store.js';
import { ALL_USERS_GROUP_ID, defaultGroupSettings } from '../src/store/system-groups.js';
import type { SessionRecord, Store, UserRecord } from '../src/store/types.js';
import { createSessionManager } from '../src/sessions/manager.js';
import { swarmPlacement } from '../src/sessions/placement-swarm.js';
import type { SessionManager } from '../src/sessions/types.js';

const ADMIN = TEST_ADMIN;
const dir = await mkdtemp(join(tmpdir(), 'tether-placement-'));
after(() => rm(dir, { recursive: true, force: true }));

const mapping = (bind: string, o: Partial<MappingSpec> = {}): MappingSpec => ({ bind, mode: 'rw', required: true, timeout: 10, skip_check: false, ...o });

/** A runtime whose containers report the node they were pinned to, and, on demand, a task Swarm orphaned. */
class NodeRuntime extends FakeRuntime {
  readonly orphaned = new Set<string>();
  override async list(): Promise<ContainerInfo[]> {
    return (await super.list()).map((c) => this.onNode(c));
  }
  override async inspect(id: string): Promise<ContainerInfo | undefined> {
    const c = await super.inspect(id);
    return c && this.onNode(c);
  }
  private onNode(c: ContainerInfo): ContainerInfo {
    const node = this.containers.get(c.id)?.spec.node ?? null;
    return this.orphaned.has(c.id) ? { ...c, host: node, state: 'lost', running: false } : { ...c, host: node };
  }
}

interface FakeNode {
  info: NodeInfo;
  preparer: FakePreparer;
  /** the agent's answer to a ping: its version, or the error it fails with */
  agent: { answers: true } | { answers: false; error: string };
  pings: number;
}

interface World extends WorldBasics {
  store: Store;
  calls: CallLog;
  runtime: NodeRuntime;
  nodes: FakeNode[];
  node(hostname: string): FakeNode;
  manager: SessionManager;
  user(): Promise<UserRecord>;
}

async function world(maxSessions = 100): Promise<World> {
  const store = await openStore(join(dir, `${randomUUID()}.db`));
  const calls: CallLog = [];
  const runtime = new NodeRuntime(calls);
  const nodes: FakeNode[] = [['tslab-n1', 'zone-a'], ['tslab-n2', 'zone-a'], ['tslab-n3', 'zone-b']].map(([hostname, zone], i) => ({
    info: { id: `node${i + 1}id`, hostname: hostname as string, zone: zone as string, availability: 'active', state: 'ready', role: i === 0 ? 'manager' : 'worker', addr: `198.18.213.1${i + 1}` },
    preparer: new FakePreparer(calls),
    agent: { answers: true },
    pings: 0,
  }));
  const byId = (id: string) => nodes.find((n) => n.info.id === id);
  const placement = swarmPlacement(
    {
      nodes: async () => nodes.map((n) => ({ ...n.info })),
      // the task's pid on its node while it runs
      locate: async (id) => {
        const c = runtime.containers.get(id);
        return c ? { nodeId: c.spec.node ?? '', pid: c.running ? 4242 : null } : undefined;
      },
    },
    {
      forNode: (info) => {
        const n = byId(info.id);
        if (!n || info.addr === null) return undefined;
        return {
          preparer: n.preparer,
          async ping() {
            n.pings++;
            if (!n.agent.answers) throw new Error(n.agent.error);
            return { version: 'test' };
          },
        };
      },
    },
    // every launch asks again: the tests change the agents between launches
    { pingCacheMs: 0 },
  );
  const manager = createSessionManager({
    store, runtime, preparer: new FakePreparer(calls), policy: DEFAULT_POLICY, logger: pino({ level: 'silent' }), lateContainerChecksMs: [], placement,
  });
  await store.groups.update(ALL_USERS_GROUP_ID, { settings: { ...defaultGroupSettings(), max_sessions_per_user: maxSessions } });
  return {
    store, calls, runtime, nodes, manager,
    node: (hostname) => nodes.find((n) => n.info.hostname === hostname) as FakeNode,
    async user() {
      const u = makeUser();
      await store.users.create(u);
      return u;
    },
    ...worldBasics(store, manager),
  };
}

async function using(fn: (w: World) => Promise<void>): Promise<void> {
  const w = await world();
  try {
    await fn(w);
  } finally {
    await w.close();
  }
}

/** the node id a session's container was pinned to */
const pinnedTo = (w: World, s: SessionRecord) => w.runtime.containers.get(s.container_id ?? '')?.spec.node;

test('sessions spread over the nodes, least loaded first; ties by hostname; the session records its node and why', () =>
  using(async (w) => {
    const user = await w.user();
    const image = await w.image({ '/srv/share/{username}': mapping('/data') });
    const first = await w.launch(user, image);
    assert.equal(first.state, 'running', JSON.stringify(first.error));
    assert.deepEqual(first.node, { id: 'node1id', hostname: 'tslab-n1', zone: 'zone-a' }, 'an empty swarm: the first by hostname');
    assert.equal(first.host, 'tslab-n1');
    assert.equal(pinnedTo(w, first), 'node1id', 'the service is pinned to the chosen node');
    assert.match(first.placement?.reason ?? '', /least loaded of 3 eligible nodes \(tslab-n1: 0 active\)/);
    assert.deepEqual(first.placement?.tried, [{ node: 'tslab-n1', outcome: 'placed' }]);
    const second = await w.launch(user, image);
    const third = await w.launch(user, image);
    assert.deepEqual([second.node?.hostname, third.node?.hostname], ['tslab-n2', 'tslab-n3']);
    // prepared and verified on the chosen node only, through its own agent
    assert.ok(w.node('tslab-n3').preparer.calls.includes('verify:1'));
    assert.equal(w.node('tslab-n2').preparer.staged.size + w.node('tslab-n3').preparer.staged.size, 0, 'stages released on the node');
    // one ended: its node is the least loaded again
    await w.manager.destroy(second.session_id, ADMIN);
    assert.equal((await w.launch(user, image)).node?.hostname, 'tslab-n2');
  }));

test('concurrent launches spread evenly: 9 at once, 3 per node', () =>
  using(async (w) => {
    const image = await w.image({});
    const users = await Promise.all(Array.from({ length: 9 }, () => w.user()));
    const launched = await Promise.all(users.map((u) => w.launch(u, image)));
    assert.ok(launched.every((s) => s.state === 'running'));
    const perNode = new Map<string, number>();
    for (const s of launched) perNode.set(s.node?.hostname ?? '', (perNode.get(s.node?.hostname ?? '') ?? 0) + 1);
    assert.deepEqual(Object.fromEntries(perNode), { 'tslab-n1': 3, 'tslab-n2': 3, 'tslab-n3': 3 });
  }));

test('a required mapping missing on the chosen node: released there, retried once on the next node, recorded', () =>
  using(async (w) => {
    const n1 = w.node('tslab-n1');
    n1.preparer.behaviour.set('/srv/share/x', { fail: 'missing' });
    const s = await w.launch(await w.user(), await w.image({ '/srv/share/x': mapping('/data') }));
    assert.equal(s.state, 'running', JSON.stringify(s.error));
    assert.equal(s.node?.hostname, 'tslab-n2');
    assert.equal(pinnedTo(w, s), 'node2id');
    assert.deepEqual(s.placement?.tried.map((t) => [t.node, t.outcome.split(':')[0]]), [['tslab-n1', 'missing'], ['tslab-n2', 'placed']]);
    assert.match(s.placement?.reason ?? '', /retried on tslab-n2, the next least loaded, after tslab-n1: missing/);
    // n1's stage released before n2 prepared; nothing prepared on n3
    const order = w.calls.filter((c) => c.startsWith('prepare') || c.startsWith('release'));
    assert.deepEqual(order.slice(0, 3), ['prepare:/srv/share/x', `release:${s.session_id}`, 'prepare:/srv/share/x']);
    assert.equal(w.node('tslab-n3').preparer.staged.size, 0);
    assert.equal(n1.preparer.staged.size, 0);
  }));

test('a hung mapping (timeout) on the chosen node is retried on the next one', () =>
  using(async (w) => {
    w.node('tslab-n1').preparer.behaviour.set('/srv/share/hang', { hang: true });
    const s = await w.launch(await w.user(), await w.image({ '/srv/share/hang': mapping('/data', { timeout: 0.2 }) }));
    assert.equal(s.state, 'running', JSON.stringify(s.error));
    assert.equal(s.node?.hostname, 'tslab-n2');
    assert.equal(s.placement?.tried[0]?.outcome.split(':')[0], 'timeout');
  }));

test('io from a node whose agent stopped answering meanwhile is that node\'s failure: retried on the next', () =>
  using(async (w) => {
    const n1 = w.node('tslab-n1');
    n1.preparer.behaviour.set('/srv/share/y', { fail: 'io' });
    // the agent answered when placement asked, and is gone when the failure is looked at
    n1.preparer.onPrepare = () => {
      n1.agent = { answers: false, error: 'node agent http://198.18.213.11:7710: socket hang up' };
    };
    const s = await w.launch(await w.user(), await w.image({ '/srv/share/y': mapping('/data') }));
    assert.equal(s.state, 'running', JSON.stringify(s.error));
    assert.equal(s.node?.hostname, 'tslab-n2');
    assert.match(s.placement?.tried[0]?.outcome ?? '', /^io: its agent stopped answering \(/);
  }));

for (const cls of ['policy', 'permission', 'not_directory', 'io']) {
  test(`a required mapping failing with ${cls} is not retried: the same on every node`, () =>
    using(async (w) => {
      w.node('tslab-n1').preparer.behaviour.set('/srv/share/p', { fail: cls });
      const s = await w.launch(await w.user(), await w.image({ '/srv/share/p': mapping('/data') }));
      assert.equal(s.state, 'failed');
      assert.equal(s.error?.class, cls);
      assert.equal(w.calls.filter((c) => c.startsWith('prepare')).length, 1, 'prepared once, on one node');
      assert.equal(w.runtime.containers.size, 0);
      assert.deepEqual(s.placement?.tried.map((t) => t.node), ['tslab-n1']);
    }));
}

test('retried once only: missing on two nodes fails with one message naming every node', () =>
  using(async (w) => {
    for (const h of ['tslab-n1', 'tslab-n2', 'tslab-n3']) w.node(h).preparer.behaviour.set('/srv/local/x', { fail: 'missing' });
    const s = await w.launch(await w.user(), await w.image({ '/srv/local/x': mapping('/data') }));
    assert.equal(s.state, 'failed');
    assert.equal(s.error?.class, 'missing');
    const m = s.error?.message ?? '';
    assert.match(m, /^no node can take this session: /);
    assert.match(m, /tslab-n1: required mapping failed: missing: /);
    assert.match(m, /tslab-n2: required mapping failed: missing: /);
    assert.match(m, /tslab-n3: not tried \(a launch is retried once\)/);
    assert.equal(w.calls.filter((c) => c.startsWith('prepare')).length, 2);
    assert.equal(w.runtime.containers.size, 0);
    assert.equal(s.placement?.tried.length, 2, 'the failed session keeps what was tried');
  }));

test('nothing can take the session: one message with the reason of each node (drained, agent, zone)', () =>
  using(async (w) => {
    w.node('tslab-n1').info.availability = 'drain';
    w.node('tslab-n2').agent = { answers: false, error: 'node agent http://198.18.213.12:7710: connect ECONNREFUSED' };
    const s = await w.launch(await w.user(), await w.image({}, ['zone-a']));
    assert.equal(s.state, 'failed');
    assert.equal(s.error?.class, 'placement');
    assert.equal(
      s.error?.message,
      'no node can take this session: tslab-n1: drained; tslab-n2: agent did not answer (node agent http://198.18.213.12:7710: connect ECONNREFUSED); tslab-n3: zone-b not in the image\'s zones [zone-a]',
    );
    assert.equal(w.node('tslab-n1').pings + w.node('tslab-n3').pings, 0, 'refused nodes are not asked');
    assert.equal(w.calls.filter((c) => c.startsWith('prepare') || c.startsWith('create')).length, 0);
  }));

test('paused, down and disconnected nodes get no new sessions', () =>
  using(async (w) => {
    w.node('tslab-n1').info.availability = 'pause';
    w.node('tslab-n2').info.state = 'down';
    w.node('tslab-n3').info.state = 'disconnected';
    const s = await w.launch(await w.user(), await w.image({}));
    assert.equal(s.error?.message, 'no node can take this session: tslab-n1: paused; tslab-n2: down; tslab-n3: disconnected');
  }));

test('zones: an image restricted to zone-b runs on tslab-n3 only, however loaded', () =>
  using(async (w) => {
    const user = await w.user();
    const image = await w.image({}, ['zone-b']);
    const sessions = [await w.launch(user, image), await w.launch(user, image)];
    assert.deepEqual(sessions.map((s) => s.node), [{ id: 'node3id', hostname: 'tslab-n3', zone: 'zone-b' }, { id: 'node3id', hostname: 'tslab-n3', zone: 'zone-b' }]);
    assert.match(sessions[0]?.placement?.reason ?? '', /least loaded of 1 eligible node \(tslab-n3: 0 active\); not eligible: tslab-n1: zone-a not in the image's zones \[zone-b\], tslab-n2: zone-a not in/);
    assert.match(sessions[1]?.placement?.reason ?? '', /\(tslab-n3: 1 active\)/, 'the count is the node\'s, also with one eligible node');
  }));

test('a node that goes down: its running sessions become lost (node named), others stay; back with the container: running again', () =>
  using(async (w) => {
    const user = await w.user();
    const image = await w.image({});
    const a = await w.launch(user, image);
    const b = await w.launch(user, image);
    assert.deepEqual([a.node?.hostname, b.node?.hostname], ['tslab-n1', 'tslab-n2']);
    w.node('tslab-n1').info.state = 'down';
    const report = await w.manager.reconcile();
    assert.deepEqual(report.lostSessions, [a.session_id]);
    const lost = await w.store.sessions.get(a.session_id);
    assert.equal(lost?.state, 'lost');
    assert.equal(lost?.error?.class, 'lost');
    assert.match(lost?.error?.message ?? '', /node tslab-n1 is down/);
    assert.equal(lost?.container_id, a.container_id, 'its container is not forgotten');
    assert.equal((await w.store.sessions.get(b.session_id))?.state, 'running');
    // still down: stays lost, nothing removed
    await w.manager.reconcile();
    assert.equal((await w.store.sessions.get(a.session_id))?.state, 'lost');
    assert.equal(w.runtime.containers.size, 2);
    // and no new session lands there meanwhile (n3 is the least loaded of the others)
    assert.equal((await w.launch(user, image)).node?.hostname, 'tslab-n3');
    assert.equal((await w.launch(user, image)).node?.hostname, 'tslab-n2');
    w.node('tslab-n1').info.state = 'ready';
    const back = await w.manager.reconcile();
    assert.deepEqual(back.recoveredSessions, [a.session_id]);
    const again = await w.store.sessions.get(a.session_id);
    assert.deepEqual([again?.state, again?.error], ['running', null]);
  }));

test('a lost session whose node comes back without its container: cleaned up and failed with the reason', () =>
  using(async (w) => {
    const s = await w.launch(await w.user(), await w.image({}));
    w.node('tslab-n1').info.state = 'disconnected';
    await w.manager.reconcile();
    assert.equal((await w.store.sessions.get(s.session_id))?.state, 'lost');
    await w.runtime.stop(s.container_id as string);
    w.node('tslab-n1').info.state = 'ready';
    const report = await w.manager.reconcile();
    assert.deepEqual(report.failedSessions, [s.session_id]);
    const ended = await w.store.sessions.get(s.session_id);
    assert.equal(ended?.state, 'failed');
    assert.match(ended?.error?.message ?? '', /node tslab-n1 came back without the session's container \(engine state created\)/);
    assert.equal(w.runtime.containers.size, 0, 'its service removed');
  }));

test('a task Swarm marked orphaned makes its session lost; a lost session can be destroyed', () =>
  using(async (w) => {
    const s = await w.launch(await w.user(), await w.image({}));
    w.runtime.orphaned.add(s.container_id as string);
    assert.deepEqual((await w.manager.reconcile()).lostSessions, [s.session_id]);
    assert.match((await w.store.sessions.get(s.session_id))?.error?.message ?? '', /orphaned/);
    const d = await w.manager.destroy(s.session_id, ADMIN);
    assert.equal(d.state, 'destroyed');
    assert.equal(w.runtime.containers.size, 0);
  }));

test('a lost session still counts against the per-user limit (it may still run)', async () => {
  const w = await world(1);
  try {
    const user = await w.user();
    const image = await w.image({});
    const s = await w.launch(user, image);
    w.node('tslab-n1').info.state = 'down';
    await w.manager.reconcile();
    await assert.rejects(w.manager.launch({ imageId: image.image_id, userId: user.user_id, actor: ADMIN }), /limit/);
    assert.equal((await w.store.sessions.get(s.session_id))?.state, 'lost');
  } finally {
    await w.close();
  }
});

test('reconcile removes an orphan on a node that is down without waiting for it to stop', () =>
  using(async (w) => {
    const s = await w.launch(await w.user(), await w.image({}));
    w.node('tslab-n1').info.state = 'down';
    // its session ended while the node was away (e.g. destroyed in the store by a crash's cleanup)
    await w.store.sessions.update(s.session_id, { state: 'failed' });
    const before = w.calls.length;
    const report = await w.manager.reconcile();
    assert.deepEqual(report.removedContainers, [s.container_id]);
    assert.deepEqual(w.calls.slice(before).filter((c) => c.startsWith('stop') || c.startsWith('remove')), [`remove:${s.container_id}`], 'removed, not stopped first');
  }));
