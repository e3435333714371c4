// Drift from what a session's mounts were computed from (recorded at launch), on the real
// engine and store: which changes are drift and which are not, the explanation (the only
// merge), and that showing many sessions merges nothing (counted through the resolver the
// session manager is given).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { resolveSessionMounts, type MountsResolver } from '../src/sessions/index.js';
import { ADMIN_ACTOR, mapping, sessionLab, type SessionLab } from './helpers/sessions.js';

describe('session drift', () => {
  let lab: SessionLab;
  let merges = 0;
  const counting: MountsResolver = (...args) => {
    merges++;
    return resolveSessionMounts(...args);
  };
  before(async () => {
    lab = await sessionLab({ manager: { resolveMounts: counting } });
  });
  after(async () => {
    await lab.cleanup();
  });

  it('a change to the user\'s group or membership is drift; a change to a group they are not in is not', async () => {
    const a = await lab.folder(`/srv/tether-drift2-a-${lab.runId}`);
    const b = await lab.folder(`/srv/tether-drift2-b-${lab.runId}`);
    const mine = await lab.group({ volume_mappings: { [a]: mapping('/a') } });
    const unrelated = await lab.group({ volume_mappings: {} });
    const user = await lab.user({ groups: [mine] });
    const image = await lab.image({});
    const s = await lab.launch(user, image);
    assert.equal(s.state, 'running', JSON.stringify(s.error));
    assert.ok(s.mounts_basis, 'the launch recorded what the mounts were computed from');
    assert.equal(await lab.manager.drift(s), false);

    await lab.store.groups.update(unrelated.group_id, { settings: { ...unrelated.settings, volume_mappings: { [b]: mapping('/b') } } });
    assert.equal(await lab.manager.drift(s), false, 'a group the user is not in changed');

    await lab.store.groups.update(mine.group_id, { settings: { ...mine.settings, volume_mappings: { [b]: mapping('/b') } } });
    assert.equal(await lab.manager.drift(s), true, 'the user\'s group mapping changed');
    merges = 0;
    const explained = await lab.manager.explainDrift(s);
    assert.equal(merges, 1, 'explaining merges once');
    assert.deepEqual(explained?.changes, [`group ${JSON.stringify(mine.name)}'s volume mappings changed`]);
    assert.deepEqual(explained?.mounts_now?.mounts.map((m) => [m.host_path, m.bind]), [[b, '/b']]);

    await lab.store.groups.update(mine.group_id, { settings: { ...mine.settings, volume_mappings: { [a]: mapping('/a') } } });
    assert.equal(await lab.manager.drift(s), false, 'changed back: the same document as at launch');

    await lab.store.groups.addMember(unrelated.group_id, user.user_id);
    assert.equal(await lab.manager.drift(s), true, 'the user joined a group');
    assert.deepEqual((await lab.manager.explainDrift(s))?.changes, [`the user joined group ${JSON.stringify(unrelated.name)}`]);
    await lab.store.groups.removeMember(unrelated.group_id, user.user_id);
    assert.equal(await lab.manager.drift(s), false);
    await lab.store.groups.removeMember(mine.group_id, user.user_id);
    assert.equal(await lab.manager.drift(s), true, 'the user left a group');

    // Fifty running sessions shown (as GET /sessions does, one drift per row): no merge.
    await lab.store.groups.addMember(mine.group_id, user.user_id);
    for (let i = 0; i < 50; i++) await lab.store.sessions.create({ ...s, session_id: randomUUID(), container_id: null });
    const listed = await lab.store.sessions.list({ user_id: user.user_id, states: ['running'] });
    assert.equal(listed.length, 51);
    merges = 0;
    const flags = await Promise.all(listed.map((r) => lab.manager.drift(r)));
    assert.deepEqual(new Set(flags), new Set([false]));
    assert.equal(merges, 0, 'listing merged');

    // A session launched before the basis was recorded: compared the old way (one merge).
    const legacy = { ...s, session_id: randomUUID(), container_id: null, mounts_basis: null };
    await lab.store.sessions.create(legacy);
    assert.equal(await lab.manager.drift((await lab.store.sessions.get(legacy.session_id))!), false);
    assert.equal(merges, 1);
    for (const r of [...listed.filter((r) => r.session_id !== s.session_id), legacy]) await lab.store.sessions.update(r.session_id, { state: 'destroyed' });
    await lab.manager.destroy(s.session_id, ADMIN_ACTOR);
  });
});
