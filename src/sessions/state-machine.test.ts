// The launch state machine in process: the real session manager and a real SQLite store, with
// a fake Runtime and HostPreparer (test/helpers/fakes.ts) so each transition, rollback and
// race is driven on purpose in milliseconds. The real engine, folders and SSHFS are covered by
// the sessions-*.test.ts suites in test/, which stay; this file adds no Docker.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import pino from 'pino';
import { FakePreparer, FakeRuntime, type CallLog } from '../../test/helpers/fakes.js';
import { TEST_ADMIN, worldBasics, type WorldBasics } from '../../test/helpers/fake-world.js';
import { makeUser } from '../../test/helpers/store-records.js';
import { DEFAULT_POLICY } from '../mappings/index.js';
import type { MappingSpec } from '../mappings/types.js';
import { openStore } from '../store/open-store.js';
import { ALL_USERS_GROUP_ID, defaultGroupSettings } from '../store/system-groups.js';
import type { GroupSettings, SessionRecord, Store, UserRecord } from '../store/types.js';
import { createSessionManager, type SessionManagerOptions } from './manager.js';
import { SessionError, type SessionManager } from './types.js';

const ADMIN = TEST_ADMIN;
const dir = await mkdtemp(join(tmpdir(), 'tether-state-machine-'));
after(() => rm(dir, { recursive: true, force: true }));

function mapping(bind: string, o: Partial<MappingSpec> = {}): MappingSpec {
  return { bind, mode: 'rw', required: true, timeout: 10, skip_check: false, ...o };
}

interface World extends WorldBasics {
  store: Store;
  calls: CallLog;
  runtime: FakeRuntime;
  preparer: FakePreparer;
  manager: SessionManager;
  user(settings?: Partial<GroupSettings>): Promise<UserRecord>;
}

async function world(opts: Partial<SessionManagerOptions> = {}): Promise<World> {
  const store = await openStore(join(dir, `${randomUUID()}.db`));
  const calls: CallLog = [];
  const runtime = new FakeRuntime(calls);
  const preparer = new FakePreparer(calls);
  const manager = createSessionManager({
    store, runtime, preparer, policy: DEFAULT_POLICY, logger: pino({ level: 'silent' }), lateContainerChecksMs: [], ...opts,
  });
  return {
    store, calls, runtime, preparer, manager,
    async user(settings = {}) {
      const u = makeUser();
      // every user is in All Users, its only group here: its settings are the user's limits (one store per test)
      await store.groups.update(ALL_USERS_GROUP_ID, { settings: { ...defaultGroupSettings(), ...settings } });
      await store.users.create(u);
      return u;
    },
    ...worldBasics(store, manager),
  };
}

async function using(opts: Partial<SessionManagerOptions>, fn: (w: World) => Promise<void>): Promise<void> {
  const w = await world(opts);
  try {
    await fn(w);
  } finally {
    await w.close();
  }
}

/** the call log with session ids and container ids reduced to their method */
const methods = (calls: CallLog) => calls.map((c) => c.split(':')[0]);

/** the states the session passed through, from its progress history */
async function statesOf(m: SessionManager, sessionId: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of m.events(sessionId, { until: ['running', 'failed', 'destroyed'] })) if (e.type === 'state') out.push(String(e.data.state));
  return out;
}

/**
 * Awaits p, failing after ms: the manager's follow-up timers do not hold the event loop open,
 * so a test waiting on one must (and says what it waited for if it never comes).
 */
async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_r, reject) => (t = setTimeout(() => reject(new Error(`${what}: nothing after ${ms} ms`)), ms)));
  try {
    return await Promise.race([p, limit]);
  } finally {
    clearTimeout(t);
  }
}

/** resolves the first time `hook` is called (set on a fake) */
function whenCalled(set: (fn: () => void) => void): Promise<void> {
  return new Promise((resolve) => set(resolve));
}

test('a launch goes requested -> preparing -> starting -> running, calling prepare, create, start, verify, release in that order', () =>
  using({}, async (w) => {
    const s = await w.launch(await w.user(), await w.image({ '/srv/fake/{username}': mapping('/data') }));
    assert.equal(s.state, 'running', JSON.stringify(s.error));
    assert.deepEqual(await statesOf(w.manager, s.session_id), ['requested', 'preparing', 'starting', 'running']);
    assert.deepEqual(methods(w.calls), ['prepare', 'ensureImage', 'create', 'start', 'inspect', 'verify', 'release']);
    const [id] = w.runtime.of(s.session_id);
    assert.equal(s.container_id, id);
    assert.equal(w.runtime.containers.get(id as string)?.running, true);
    // the engine was handed the stage, not the host path
    assert.match(w.runtime.containers.get(id as string)?.spec.mounts[0]?.source ?? '', /^\/fake-stage\//);
    assert.equal(w.preparer.staged.size, 0, 'stages are released once the container runs');
  }));

test('a required mapping that fails: failed with its class, nothing created, stages released', () =>
  using({}, async (w) => {
    w.preparer.behaviour.set('/srv/fake/bad', { fail: 'permission' });
    const s = await w.launch(await w.user(), await w.image({ '/srv/fake/good': mapping('/good'), '/srv/fake/bad': mapping('/bad') }));
    assert.equal(s.state, 'failed');
    assert.equal(s.error?.class, 'permission');
    assert.match(s.error?.message ?? '', /\/srv\/fake\/bad/);
    assert.equal(w.calls.filter((c) => c.startsWith('create')).length, 0, 'no container created');
    assert.equal(w.runtime.containers.size, 0);
    assert.ok(w.calls.includes(`release:${s.session_id}`));
    assert.equal(w.preparer.staged.size, 0, 'the good mapping\'s stage was released too');
  }));

test('a required: false mapping that fails: running without it, with a warning', () =>
  using({}, async (w) => {
    w.preparer.behaviour.set('/srv/fake/optional', { fail: 'missing' });
    const s = await w.launch(await w.user(), await w.image({ '/srv/fake/ok': mapping('/ok'), '/srv/fake/optional': mapping('/optional', { required: false }) }));
    assert.equal(s.state, 'running', JSON.stringify(s.error));
    assert.equal(s.warnings.length, 1);
    assert.equal(s.warnings[0]?.class, 'missing');
    assert.match(s.warnings[0]?.message ?? '', /left out \(required: false\)/);
    const [id] = w.runtime.of(s.session_id);
    assert.deepEqual(w.runtime.containers.get(id as string)?.spec.mounts.map((m) => m.target), ['/ok']);
  }));

test('create failing: failed (engine), nothing left, stages released', () =>
  using({}, async (w) => {
    w.runtime.behaviour.create = { fail: 'no space left' };
    const s = await w.launch(await w.user(), await w.image({ '/srv/fake/x': mapping('/x') }));
    assert.equal(s.state, 'failed');
    assert.equal(s.error?.class, 'engine');
    assert.match(s.error?.message ?? '', /create failed: .*no space left/);
    assert.equal(w.runtime.containers.size, 0);
    assert.equal(w.preparer.staged.size, 0);
    assert.equal(methods(w.calls).at(-1), 'release');
  }));

test('start failing: the created container is removed and the session failed', () =>
  using({}, async (w) => {
    w.runtime.behaviour.start = { fail: 'bind source vanished' };
    const s = await w.launch(await w.user(), await w.image({ '/srv/fake/x': mapping('/x') }));
    assert.equal(s.state, 'failed');
    assert.equal(s.error?.class, 'engine');
    assert.match(s.error?.message ?? '', /start failed/);
    assert.ok(methods(w.calls).includes('remove'), w.calls.join(' '));
    assert.equal(w.runtime.containers.size, 0);
    assert.equal(s.container_id, null);
  }));

test('verify finds another folder at a bind: container removed, failed with class policy', () =>
  using({}, async (w) => {
    w.preparer.swapped.add('/data');
    const s = await w.launch(await w.user(), await w.image({ '/srv/fake/d': mapping('/data') }));
    assert.equal(s.state, 'failed');
    assert.equal(s.error?.class, 'policy');
    assert.match(s.error?.message ?? '', /not the folder prepared/);
    assert.equal(w.runtime.containers.size, 0, 'the container that showed the wrong folder is gone');
  }));

test('destroy while preparing: the launch is cancelled, nothing created, destroyed, stages released', () =>
  using({}, async (w) => {
    w.preparer.behaviour.set('/srv/fake/slow', { hang: true });
    const reached = whenCalled((fn) => (w.preparer.onPrepare = fn));
    const rec = await w.manager.launch({ imageId: (await w.image({ '/srv/fake/slow': mapping('/slow', { timeout: 5 }) })).image_id, userId: (await w.user()).user_id, actor: ADMIN });
    await reached;
    assert.equal((await w.store.sessions.get(rec.session_id))?.state, 'preparing');
    const destroyed = await within(w.manager.destroy(rec.session_id, ADMIN), 2_000, 'the destroy (which must cancel the launch)');
    assert.equal(destroyed.state, 'destroyed');
    assert.equal((await w.manager.waitForLaunch(rec.session_id)).state, 'destroyed');
    assert.equal(w.calls.filter((c) => c.startsWith('create')).length, 0);
    assert.equal(w.runtime.containers.size, 0);
    assert.ok(w.calls.includes(`release:${rec.session_id}`));
  }));

test('destroy while starting: the hung start is aborted, the container removed, destroyed', () =>
  using({}, async (w) => {
    w.runtime.behaviour.start = { hang: true };
    const reached = whenCalled((fn) => (w.runtime.onCall = (m) => m === 'start' && fn()));
    const rec = await w.manager.launch({ imageId: (await w.image({ '/srv/fake/s': mapping('/s', { timeout: 5 }) })).image_id, userId: (await w.user()).user_id, actor: ADMIN });
    await reached;
    assert.equal((await w.store.sessions.get(rec.session_id))?.state, 'starting');
    assert.equal(w.runtime.of(rec.session_id).length, 1);
    const destroyed = await within(w.manager.destroy(rec.session_id, ADMIN), 2_000, 'the destroy (which must cancel the launch)');
    assert.equal(destroyed.state, 'destroyed');
    assert.equal(destroyed.container_id, null);
    assert.equal(w.runtime.containers.size, 0);
    assert.equal(w.preparer.staged.size, 0);
  }));

test('a create that answers after its deadline: failed (timeout), and the late container is found and removed', () =>
  using({ engineTimeoutMs: 30, lateContainerChecksMs: [60, 120] }, async (w) => {
    // no mounts: the create's deadline is engineTimeoutMs; the fake engine creates it at 40 ms anyway
    w.runtime.behaviour.create = { late: 40 };
    const s = await w.launch(await w.user(), await w.image({}));
    assert.equal(s.state, 'failed');
    assert.equal(s.error?.class, 'timeout');
    const removed = whenCalled((fn) => (w.runtime.onCall = (m) => m === 'remove' && fn()));
    await within(removed, 2_000, 'the late container removed by a follow-up check');
    assert.equal(w.runtime.containers.size, 0, 'the late container was removed');
    assert.ok(w.calls.some((c) => c === `findBySession:${s.session_id}`));
  }));

test('max_sessions_per_user holds under 10 concurrent launches', () =>
  using({}, async (w) => {
    const user = await w.user({ max_sessions_per_user: 2 });
    const image = await w.image({});
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => w.manager.launch({ imageId: image.image_id, userId: user.user_id, actor: ADMIN })));
    const ok = results.filter((r): r is PromiseFulfilledResult<SessionRecord> => r.status === 'fulfilled');
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    assert.equal(ok.length, 2);
    assert.equal(refused.length, 8);
    for (const r of refused) assert.ok(r.reason instanceof SessionError && r.reason.code === 'limit_reached', String(r.reason));
    for (const r of ok) assert.equal((await w.manager.waitForLaunch(r.value.session_id)).state, 'running');
    assert.equal(w.runtime.containers.size, 2);
    assert.equal((await w.store.sessions.list({ user_id: user.user_id })).length, 2);
  }));

test('reconcile settles a session left in starting by a crashed process: container removed, failed (interrupted)', () =>
  using({}, async (w) => {
    const user = await w.user();
    const image = await w.image({});
    const sessionId = randomUUID();
    const at = new Date().toISOString();
    // what a process that died between create and start leaves behind
    await w.store.sessions.create({
      session_id: sessionId, user_id: user.user_id, image_id: image.image_id, state: 'starting', container_id: null, host: null,
      mounts: null, warnings: [], error: null, mappings_digest: null, created_at: at, updated_at: at, expires_at: null,
    });
    const id = await w.runtime.create({
      name: `tether-${sessionId}`, image: image.docker_image, user: null, mounts: [], sessionId, userId: user.user_id, imageId: image.image_id,
      instanceId: await w.store.instanceId(), cores: null, memory: null,
    });
    await w.store.sessions.update(sessionId, { container_id: id });
    const report = await w.manager.reconcile();
    assert.deepEqual(report.failedSessions, [sessionId]);
    const s = await w.store.sessions.get(sessionId);
    assert.equal(s?.state, 'failed');
    assert.equal(s?.error?.class, 'interrupted');
    assert.equal(w.runtime.containers.size, 0);
  }));

test('expiry: a running session past its session_time_limit is destroyed by the sweep, not before', async () => {
  let clock = Date.parse('2026-06-01T00:00:00Z');
  await using({ now: () => new Date(clock) }, async (w) => {
    const s = await w.launch(await w.user({ session_time_limit: 3600 }), await w.image({}));
    assert.equal(s.state, 'running', JSON.stringify(s.error));
    assert.equal(s.expires_at, '2026-06-01T01:00:00.000Z');
    clock += 3599_000;
    assert.deepEqual(await w.manager.sweepExpired(), []);
    assert.equal((await w.store.sessions.get(s.session_id))?.state, 'running');
    clock += 2_000;
    assert.deepEqual(await w.manager.sweepExpired(), [s.session_id]);
    assert.equal((await w.store.sessions.get(s.session_id))?.state, 'destroyed');
    assert.equal(w.runtime.containers.size, 0);
  });
});
