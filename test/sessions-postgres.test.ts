// The launch happy path with the PostgreSQL store (the other suites use SQLite): every
// state transition is a compare-and-set on PostgreSQL here.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { stat } from 'node:fs/promises';
import { execIn } from './helpers/docker.js';
import { ADMIN_ACTOR, mapping, sessionLab, type SessionLab } from './helpers/sessions.js';

describe('session launch with the PostgreSQL store (real engine)', () => {
  let lab: SessionLab;
  before(async () => {
    lab = await sessionLab({ kind: 'postgres' });
  });
  after(async () => {
    await lab?.cleanup();
  });

  it('launches, runs with its mount, reconciles nothing away, destroys', async () => {
    const prefix = await lab.folder(`/srv/tether-pg-${lab.runId}`);
    const user = await lab.user();
    const s = await lab.launch(user, await lab.image({ [`${prefix}/{username}`]: mapping('/home/me', { uid: 1000, gid: 1000 }) }));
    assert.equal(s.state, 'running', JSON.stringify(s.error));
    assert.equal((await stat(`${prefix}/${user.username}`)).uid, 1000);
    const w = await execIn(lab.docker, s.container_id as string, ['sh', '-c', 'echo pg > /home/me/f && cat /home/me/f']);
    assert.equal(w.output.trim(), 'pg');
    const report = await lab.manager.reconcile();
    assert.deepEqual(report.failedSessions, []);
    assert.equal((await lab.store.sessions.get(s.session_id))?.state, 'running');
    const gone = await lab.manager.destroy(s.session_id, ADMIN_ACTOR);
    assert.equal(gone.state, 'destroyed');
    assert.equal((await lab.containersOf(s.session_id)).length, 0);
  });
});
