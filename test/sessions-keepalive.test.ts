// keepalive: a running session's time limit counts again from the keepalive (Kasm's
// keepalive), never shortened, nothing for a session without a limit, refused once ended.
// Real engine and store; the manager's clock is the test's, so no test waits for a limit.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sessionLab, ADMIN_ACTOR, type SessionLab } from './helpers/sessions.js';
import { SessionError } from '../src/sessions/index.js';

describe('sessions: keepalive', () => {
  let lab: SessionLab;
  let clock = new Date('2030-01-01T00:00:00.000Z').getTime();
  before(async () => {
    lab = await sessionLab({ manager: { now: () => new Date(clock) } });
  });
  after(async () => { await lab?.cleanup(); });

  it('moves expires_at to now + the groups\' limit, so the expiry sweep spares the session', async () => {
    const group = await lab.group({ session_time_limit: 60 });
    const user = await lab.user({ groups: [group] });
    const rec = await lab.launch(user, await lab.image({}));
    assert.equal(rec.state, 'running', JSON.stringify(rec.error));
    assert.equal(rec.expires_at, new Date(clock + 60_000).toISOString());

    clock += 30_000;
    const kept = await lab.manager.keepalive(rec.session_id, ADMIN_ACTOR);
    assert.equal(kept.extended, true);
    assert.equal(kept.usage_reached, false);
    assert.equal(kept.record.expires_at, new Date(clock + 60_000).toISOString());
    assert.equal((await lab.store.sessions.get(rec.session_id))?.expires_at, kept.record.expires_at);

    // past the launch's limit, before the keepalive's: the sweep leaves it running
    clock += 40_000;
    assert.deepEqual(await lab.manager.sweepExpired(), []);
    assert.equal((await lab.store.sessions.get(rec.session_id))?.state, 'running');
    // past the keepalive's limit: it goes
    clock += 30_000;
    assert.deepEqual(await lab.manager.sweepExpired(), [rec.session_id]);
    assert.equal((await lab.store.sessions.get(rec.session_id))?.state, 'destroyed');

    await assert.rejects(lab.manager.keepalive(rec.session_id, ADMIN_ACTOR), (e: unknown) => e instanceof SessionError && e.code === 'invalid_state');
  });

  it('never shortens, keeps no limit where there was none, and hides other users\' sessions', async () => {
    const user = await lab.user();
    const rec = await lab.launch(user, await lab.image({}));
    assert.equal(rec.state, 'running', JSON.stringify(rec.error));
    assert.equal(rec.expires_at, null);
    const kept = await lab.manager.keepalive(rec.session_id, ADMIN_ACTOR);
    assert.deepEqual([kept.extended, kept.record.expires_at], [false, null]);

    // a limit lowered after the launch does not pull the end forward
    const long = await lab.group({ session_time_limit: 3600 });
    const other = await lab.user({ groups: [long] });
    const running = await lab.launch(other, await lab.image({}));
    await lab.store.groups.update(long.group_id, { settings: { ...long.settings, session_time_limit: 10 } });
    const again = await lab.manager.keepalive(running.session_id, ADMIN_ACTOR);
    assert.deepEqual([again.extended, again.record.expires_at], [false, running.expires_at]);

    const stranger = { user_id: user.user_id, username: user.username, isAdmin: false };
    await assert.rejects(lab.manager.keepalive(running.session_id, stranger), (e: unknown) => e instanceof SessionError && e.code === 'not_found');
  });
});
