// Reconcile against the real engine: vanished containers, orphans, and sessions left in
// transient states by a crash (records written as a crashed process would have left them).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { TEST_IMAGE } from './helpers/docker.js';
import { ADMIN_ACTOR, FAST_STOP_CMD, mapping, sessionLab, type SessionLab } from './helpers/sessions.js';
import type { SessionRecord, SessionState } from '../src/store/types.js';

describe('reconcile (real engine)', () => {
  let lab: SessionLab;
  /** containers made by hand, removed at the end even when an assertion failed first */
  const handMade: string[] = [];
  before(async () => {
    lab = await sessionLab();
  });
  after(async () => {
    for (const id of handMade) await lab?.docker.getContainer(id).remove({ force: true }).catch(() => undefined);
    await lab?.cleanup();
  });

  async function record(state: SessionState, userId: string, imageId: string): Promise<SessionRecord> {
    const at = new Date().toISOString();
    const rec: SessionRecord = {
      session_id: randomUUID(), user_id: userId, image_id: imageId, state, container_id: null, host: null, mounts: null,
      warnings: [], error: null, mappings_digest: null, created_at: at, updated_at: at, expires_at: null,
    };
    await lab.store.sessions.create(rec);
    return rec;
  }
  /** instance: this store's id by default; null = no tether.instance label (a container from before instance labels) */
  async function labelled(sessionId: string, start: boolean, userId: string, instance?: string | null): Promise<string> {
    const owner = instance === undefined ? await lab.store.instanceId() : instance;
    const labels: Record<string, string> = { tether: '1', 'tether.session': sessionId, 'tether.user': userId, 'tether.image': randomUUID() };
    if (owner !== null) labels['tether.instance'] = owner;
    const c = await lab.docker.createContainer({ Image: TEST_IMAGE, Cmd: FAST_STOP_CMD, Labels: labels });
    handMade.push(c.id);
    if (start) await c.start();
    return c.id;
  }

  it('fails vanished sessions, finishes interrupted ones, removes orphans', async () => {
    const user = await lab.user();
    const image = await lab.image({});
    const live = await lab.launch(user, image);
    assert.equal(live.state, 'running');
    const liveInfo = await lab.docker.getContainer(live.container_id as string).inspect();
    assert.equal(liveInfo.Config.Labels['tether.instance'], await lab.store.instanceId(), 'a session container carries its instance id');
    const vanished = await lab.launch(user, image);
    await lab.docker.getContainer(vanished.container_id as string).remove({ force: true });
    const preparing = await record('preparing', user.user_id, image.image_id);
    const starting = await record('starting', user.user_id, image.image_id);
    await labelled(starting.session_id, true, user.user_id);
    const stopping = await record('stopping', user.user_id, image.image_id);
    // unlabelled (older) container of a session this store knows: still ours
    await labelled(stopping.session_id, true, user.user_id, null);
    const dead = await record('destroyed', user.user_id, image.image_id);
    await labelled(dead.session_id, false, user.user_id);
    const unknown = await labelled(randomUUID(), true, user.user_id);
    // ours by instance label, though neither its session nor its user is known here: removed
    const strangerSession = randomUUID();
    const stranger = await labelled(strangerSession, true, randomUUID());
    // another Tether instance's container, even for a user this store has: left alone
    const foreignSession = randomUUID();
    const foreign = await labelled(foreignSession, true, user.user_id, randomUUID());
    // an unlabelled container of a session this store never had: cannot tell whose, left alone
    const legacySession = randomUUID();
    const legacy = await labelled(legacySession, true, randomUUID(), null);

    const report = await lab.manager.reconcile();
    const state = async (id: string) => (await lab.store.sessions.get(id))?.state;
    assert.equal(await state(live.session_id), 'running', 'a healthy session is left alone');
    assert.equal(await state(vanished.session_id), 'failed');
    assert.equal((await lab.store.sessions.get(vanished.session_id))?.error?.class, 'vanished');
    assert.equal(await state(preparing.session_id), 'failed');
    assert.equal((await lab.store.sessions.get(preparing.session_id))?.error?.class, 'interrupted');
    assert.equal(await state(starting.session_id), 'failed');
    assert.equal(await state(stopping.session_id), 'destroyed');
    for (const s of [starting, stopping, dead]) assert.equal((await lab.containersOf(s.session_id)).length, 0, `container of ${s.state} session left`);
    assert.ok(report.removedContainers.includes(unknown));
    assert.ok(report.removedContainers.includes(stranger), 'an orphan of this instance with an unknown session and user was kept');
    assert.equal((await lab.containersOf(strangerSession)).length, 0);
    assert.equal((await lab.containersOf(live.session_id)).length, 1);
    assert.ok(!report.removedContainers.includes(foreign));
    assert.equal((await lab.containersOf(foreignSession)).length, 1, 'another instance\'s container was removed');
    await lab.docker.getContainer(foreign).remove({ force: true });
    assert.ok(!report.removedContainers.includes(legacy));
    assert.equal((await lab.containersOf(legacySession)).length, 1, 'an unlabelled container of an unknown session was removed');
    await lab.docker.getContainer(legacy).remove({ force: true });
    assert.deepEqual(new Set(report.failedSessions), new Set([vanished.session_id, preparing.session_id, starting.session_id]));
    assert.deepEqual(report.destroyedSessions, [stopping.session_id]);
  });

  it('a destroy racing a launch at any step ends destroyed with no container', async () => {
    const folder = await lab.folder(`/srv/tether-race-${lab.runId}`);
    const image = await lab.image({ [folder]: mapping('/data') });
    const delays = [0, 20, 60, 120, 250, 400];
    const users = await Promise.all(delays.map(() => lab.user()));
    await Promise.all(delays.map(async (ms, i) => {
      const rec = await lab.manager.launch({ imageId: image.image_id, userId: (users[i] as { user_id: string }).user_id, actor: ADMIN_ACTOR });
      await new Promise((r) => setTimeout(r, ms));
      const gone = await lab.manager.destroy(rec.session_id, ADMIN_ACTOR);
      assert.ok(['destroyed', 'failed'].includes(gone.state), `ended ${gone.state}`);
      const final = await lab.store.sessions.get(rec.session_id);
      assert.ok(final && ['destroyed', 'failed'].includes(final.state));
      assert.equal((await lab.containersOf(rec.session_id)).length, 0, `container left (destroy after ${ms} ms)`);
    }));
  });
});
