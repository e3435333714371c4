// Placement on the real three-node swarm lab (scripts/lab/swarm-lab.sh: tslab-n1..3, zones
// zone-a, zone-a, zone-b): the real session manager and swarm runtime, Swarm's own node list
// and labels. First with stand-in agents that answer and images without mappings (placement
// alone): sessions spread over the nodes and each service's task runs where the session says;
// an image restricted to zone-b lands on the zone-b node; the task's pid placement reports is
// the container's main process on that node. Then with the lab's real agents (the global
// service tether-agent, the join key `up` printed): a shared mapping prepared and verified on
// the chosen node through its agent; a mapping whose prefix exists on tslab-n2 only is
// missing on tslab-n1, released there and placed on tslab-n2 on the one retry. The lab is
// brought up (or reused) and left up when others use it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { FakePreparer } from './helpers/fakes.js';
import { FAST_STOP_CMD } from './helpers/sessions.js';
import { startSwarmLab, swarmLabUnavailable, type SwarmLab } from './helpers/swarm-lab.js';
import { DEFAULT_POLICY } from '../src/mappings/index.js';
import { createSwarmRuntime, type SwarmRuntime } from '../src/runtime/swarm/index.js';
import { openStore } from '../src/store/open-store.js';
import { ALL_USERS_GROUP_ID, defaultGroupSettings } from '../src/store/system-groups.js';
import type { ImageRecord, SessionRecord, Store, UserRecord } from '../src/store/types.js';
import { createSessionManager } from '../src/sessions/manager.js';
import { createAgentDirectory } from '../src/agent/http-client.js';
import { ServerAgentKeys } from '../src/agent/keys.js';
import { swarmPlacement } from '../src/sessions/placement-swarm.js';
import type { Actor, SessionManager } from '../src/sessions/types.js';

const ADMIN: Actor = { user_id: null, username: 'test-admin', isAdmin: true };
const unavailable = swarmLabUnavailable();

describe('placement on the real swarm lab', { skip: unavailable ?? false }, () => {
  let lab: SwarmLab;
  let runtime: SwarmRuntime;
  let store: Store;
  let manager: SessionManager;
  let dir: string;
  let user: UserRecord;
  const launched: SessionRecord[] = [];
  const at = new Date().toISOString();

  async function image(zones?: string[]): Promise<ImageRecord> {
    const i: ImageRecord = {
      image_id: randomUUID(), name: `lab-${randomUUID().slice(0, 6)}`, friendly_name: 'Lab', docker_image: lab.env.SWARM_LAB_IMAGE as string,
      volume_mappings: {}, persistent_profile_path: null, user: null, cores: null, memory: null, enabled: true, groups: [], web_port: null,
      registry_auth_encrypted: null, created_at: at, updated_at: at, ...(zones ? { zones } : {}),
    };
    await store.images.create(i);
    return i;
  }

  async function launch(i: ImageRecord): Promise<SessionRecord> {
    const rec = await manager.launch({ imageId: i.image_id, userId: user.user_id, actor: ADMIN });
    const s = await manager.waitForLaunch(rec.session_id);
    launched.push(s);
    assert.equal(s.state, 'running', JSON.stringify(s.error));
    return s;
  }

  before(async () => {
    lab = await startSwarmLab();
    runtime = createSwarmRuntime({ dockerHost: lab.env.DOCKER_HOST, stopGraceSeconds: 0 });
    dir = await mkdtemp(join(tmpdir(), 'tether-placement-lab-'));
    store = await openStore(join(dir, 'tether.db'));
    await store.groups.update(ALL_USERS_GROUP_ID, { settings: { ...defaultGroupSettings(), max_sessions_per_user: 20 } });
    user = { user_id: randomUUID(), username: 'lab-user', password_hash: 'x', disabled: false, created_at: at, updated_at: at };
    await store.users.create(user);
    const standIn = new FakePreparer();
    const placement = swarmPlacement(runtime, { forNode: () => ({ preparer: standIn, ping: async () => ({ version: 'stand-in' }) }) });
    manager = createSessionManager({
      store, runtime, preparer: standIn, policy: DEFAULT_POLICY, logger: pino({ level: 'silent' }), lateContainerChecksMs: [], placement,
      containerCmd: () => FAST_STOP_CMD, engineTimeoutMs: 60_000,
    });
  });

  after(async () => {
    await Promise.all(launched.map((s) => manager.destroy(s.session_id, ADMIN).catch(() => undefined)));
    await manager?.close();
    await store?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
    await lab?.down();
  });

  it('three sessions land on three different nodes, each task where its session says', async () => {
    const nodes = await runtime.nodes();
    const eligible = nodes.filter((n) => n.state === 'ready' && n.availability === 'active');
    assert.equal(eligible.length, 3, `the lab's three nodes are ready and active: ${JSON.stringify(nodes)}`);
    const img = await image();
    const sessions = [await launch(img), await launch(img), await launch(img)];
    assert.deepEqual(new Set(sessions.map((s) => s.node?.hostname)), new Set(['tslab-n1', 'tslab-n2', 'tslab-n3']));
    for (const s of sessions) {
      const where = await runtime.locate(s.container_id as string);
      assert.equal(where?.nodeId, s.node?.id, `the task of ${s.session_id} runs on the node recorded`);
      assert.equal(s.node?.zone, nodes.find((n) => n.id === s.node?.id)?.zone, 'the zone recorded is the node label');
      assert.match(s.placement?.reason ?? '', /least loaded of 3 eligible nodes/);
    }
  });

  it('an image restricted to zone-b runs on the zone-b node only; the others are named as refused', async () => {
    const s = await launch(await image(['zone-b']));
    assert.equal(s.node?.zone, 'zone-b');
    assert.equal((await runtime.locate(s.container_id as string))?.nodeId, s.node?.id);
    assert.match(s.placement?.reason ?? '', /not eligible: tslab-n1: zone-a not in the image's zones \[zone-b\], tslab-n2: zone-a not in/);
  });

  it('an image restricted to a zone no node has: one message naming every node, nothing created', async () => {
    const before = (await runtime.list()).length;
    const rec = await manager.launch({ imageId: (await image(['zone-x'])).image_id, userId: user.user_id, actor: ADMIN });
    const s = await manager.waitForLaunch(rec.session_id);
    assert.equal(s.state, 'failed');
    assert.equal(s.error?.message, "no node can take this session: tslab-n1: zone-a not in the image's zones [zone-x]; tslab-n2: zone-a not in the image's zones [zone-x]; tslab-n3: zone-b not in the image's zones [zone-x]");
    assert.equal((await runtime.list()).length, before);
  });

  it('the pid placement verifies with is the task container\'s main process on its node', async () => {
    const s = launched[0] as SessionRecord;
    const where = await runtime.locate(s.container_id as string);
    const engine = lab.nodes.get(where?.nodeId ?? '');
    assert.ok(engine && where);
    const onNode = (await engine.getContainer(where.containerId).inspect()) as { State: { Pid: number } };
    assert.ok(onNode.State.Pid > 0);
    assert.equal(where.pid, onNode.State.Pid);
  });
});

describe('placement on the real swarm lab, through the real node agents', { skip: unavailable ?? false }, () => {
  let lab: SwarmLab;
  let runtime: SwarmRuntime;
  let store: Store;
  let manager: SessionManager;
  let agents: ReturnType<typeof createAgentDirectory>;
  let dir: string;
  const launched: SessionRecord[] = [];
  const at = new Date().toISOString();
  const run = randomUUID().slice(0, 8);
  const n2Only = () => `${lab.env.SWARM_LAB_LOCAL}/only-n2-${run}`;

  async function user(): Promise<UserRecord> {
    const u: UserRecord = { user_id: randomUUID(), username: `u${randomUUID().slice(0, 6)}`, password_hash: 'x', disabled: false, created_at: at, updated_at: at };
    await store.users.create(u);
    return u;
  }

  async function launch(u: UserRecord, hostPath: string): Promise<SessionRecord> {
    const i: ImageRecord = {
      image_id: randomUUID(), name: `lab-${randomUUID().slice(0, 6)}`, friendly_name: 'Lab', docker_image: lab.env.SWARM_LAB_IMAGE as string,
      volume_mappings: { [hostPath]: { bind: '/data', mode: 'rw', required: true, timeout: 10, skip_check: false } },
      persistent_profile_path: null, user: null, cores: null, memory: null, enabled: true, groups: [], web_port: null,
      registry_auth_encrypted: null, created_at: at, updated_at: at,
    };
    await store.images.create(i);
    const rec = await manager.launch({ imageId: i.image_id, userId: u.user_id, actor: ADMIN });
    const s = await manager.waitForLaunch(rec.session_id);
    launched.push(s);
    return s;
  }

  /** runs a command in a throw-away container on one node's own engine (its own mount namespace) */
  async function onNode(hostname: string, cmd: string[]): Promise<void> {
    const node = (await runtime.nodes()).find((n) => n.hostname === hostname);
    const engine = lab.nodes.get(node?.id ?? '');
    assert.ok(engine, `no engine for ${hostname}`);
    const image = lab.env.SWARM_LAB_IMAGE as string;
    await new Promise<void>((resolve, reject) => {
      engine.pull(image, {}, (err, stream) => (err || !stream ? reject(err) : engine.modem.followProgress(stream, (e: unknown) => (e ? reject(e) : resolve()))));
    });
    const c = await engine.createContainer({ Image: image, Cmd: cmd, HostConfig: { Binds: [`${lab.env.SWARM_LAB_LOCAL}:${lab.env.SWARM_LAB_LOCAL}`] } });
    try {
      await c.start();
      const { StatusCode } = (await c.wait()) as { StatusCode: number };
      assert.equal(StatusCode, 0, `${cmd.join(' ')} on ${hostname}`);
    } finally {
      await c.remove({ force: true });
    }
  }

  before(async () => {
    lab = await startSwarmLab();
    assert.ok(lab.env.TETHER_AGENT_KEY_FILE, 'swarm-lab.sh up prints the agents\' join key file');
    runtime = createSwarmRuntime({ dockerHost: lab.env.DOCKER_HOST, stopGraceSeconds: 0 });
    const keys = new ServerAgentKeys(lab.env.TETHER_AGENT_KEY_FILE as string);
    await keys.load();
    agents = createAgentDirectory({ keys: () => keys.current });
    dir = await mkdtemp(join(tmpdir(), 'tether-placement-agents-'));
    store = await openStore(join(dir, 'tether.db'));
    manager = createSessionManager({
      store, runtime, preparer: new FakePreparer(), policy: DEFAULT_POLICY, logger: pino({ level: 'silent' }), lateContainerChecksMs: [],
      placement: swarmPlacement(runtime, agents), containerCmd: () => FAST_STOP_CMD, engineTimeoutMs: 60_000,
    });
    // a prefix that exists on tslab-n2 only (the lab's local folder is node-local)
    await onNode('tslab-n2', ['mkdir', '-p', n2Only()]);
  });

  after(async () => {
    await Promise.all(launched.map((s) => manager?.destroy(s.session_id, ADMIN).catch(() => undefined)));
    await manager?.close();
    await store?.close();
    agents?.close();
    if (lab) await onNode('tslab-n2', ['rm', '-rf', n2Only()]).catch(() => undefined);
    if (dir) await rm(dir, { recursive: true, force: true });
    await lab?.down();
  });

  it('a prefix missing on the least loaded node: released there, placed on the node that has it (one retry)', async () => {
    const s = await launch(await user(), `${n2Only()}/{username}`);
    assert.equal(s.state, 'running', JSON.stringify(s.error));
    assert.equal(s.node?.hostname, 'tslab-n2');
    assert.deepEqual(s.placement?.tried.map((t) => [t.node, t.outcome.split(':')[0]]), [['tslab-n1', 'missing'], ['tslab-n2', 'placed']]);
    assert.equal((await runtime.locate(s.container_id as string))?.nodeId, s.node?.id);
  });

  it('a shared mapping: prepared and verified on the chosen node through its agent; the data is the shared folder', async () => {
    const u = await user();
    // the fixed prefix, made by the administrator: here on the machine that runs the lab, the same share
    const { mkdir, readFile } = await import('node:fs/promises');
    await mkdir(`${lab.env.SWARM_LAB_SHARED}/placement-${run}`);
    const s = await launch(u, `${lab.env.SWARM_LAB_SHARED}/placement-${run}/{username}`);
    assert.equal(s.state, 'running', JSON.stringify(s.error));
    assert.ok(s.node);
    const where = await runtime.locate(s.container_id as string);
    const engine = lab.nodes.get(where?.nodeId ?? '');
    const exec = await engine!.getContainer(where!.containerId).exec({ Cmd: ['sh', '-c', `echo ${run} > /data/note`], AttachStdout: true, AttachStderr: true });
    await new Promise<void>((resolve, reject) => exec.start({}, (err: unknown, stream: NodeJS.ReadableStream | undefined) => (err ? reject(err) : stream ? stream.on('end', resolve).resume() : resolve())));
    assert.equal((await readFile(`${lab.env.SWARM_LAB_SHARED}/placement-${run}/${u.username}/note`, 'utf8')).trim(), run, 'written on the node, read on the shared storage');
    await rm(`${lab.env.SWARM_LAB_SHARED}/placement-${run}`, { recursive: true, force: true });
  });

  it('a prefix that exists on no node: one message naming each node tried and the one not tried', async () => {
    const s = await launch(await user(), `${lab.env.SWARM_LAB_LOCAL}/nowhere-${run}/{username}`);
    assert.equal(s.state, 'failed');
    assert.equal(s.error?.class, 'missing');
    assert.match(s.error?.message ?? '', /^no node can take this session: tslab-n\d: required mapping failed: missing: .*; tslab-n\d: required mapping failed: missing: .*; tslab-n\d: not tried \(a launch is retried once\)$/);
  });
});
