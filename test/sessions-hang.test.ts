// Storage that hangs (a real SSHFS export whose sftp-server is SIGSTOPped): a required mapping
// fails its launch at its deadline with class timeout and leaves no container; while five such
// launches hang, the API (listening on a real port) keeps answering and a healthy launch
// succeeds; the same mapping with required: false launches without the mount, with a warning;
// storage that dies after preparation makes the engine's create hang: abandoned, cleaned up late.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { startSshfsExport, type SshfsExport } from './helpers/sshfs.js';
import type { SessionEvent } from '../src/sessions/index.js';
import { mapping, sessionApiLab, sessionLab, type SessionApiLab, type SessionLab } from './helpers/sessions.js';
import { createLocalHostPreparer, type HostPreparer } from '../src/hostprep/index.js';

const TIMEOUT_S = 2;
/** generous: the deadline is 2 s; a launch stuck until the storage returns would take forever */
const MARGIN_MS = 4_000;

/** The session's container.removed event that follows its `failed` state, or undefined after ms. */
async function containerRemovedAfterFailure(lab: SessionLab, sessionId: string, ms: number): Promise<SessionEvent | undefined> {
  let failed = false;
  // until: none, so the stream stays open for the follow-up checks; the signal ends it
  for await (const e of lab.manager.events(sessionId, { until: [], signal: AbortSignal.timeout(ms) })) {
    if (e.type === 'state' && e.data.state === 'failed') failed = true;
    else if (failed && e.type === 'container.removed') return e;
  }
  return undefined;
}

describe('hung storage (real SSHFS, real engine)', () => {
  let env: SessionApiLab;
  let lab: SessionLab;
  let nas: SshfsExport;

  before(async () => {
    env = await sessionApiLab();
    lab = env.lab;
    nas = await startSshfsExport();
    mkdirSync(`${nas.exportDir}/share`);
  });
  after(async () => {
    nas?.resume();
    await env?.cleanup();
    await nas?.teardown();
  });

  it('a required mapping on hung storage fails at its deadline with class timeout, no container', async () => {
    const image = await lab.image({ [`${nas.mountDir}/share`]: mapping('/nas', { timeout: TIMEOUT_S }) });
    const user = await lab.user();
    nas.hang();
    try {
      const t0 = Date.now();
      const s = await lab.launch(user, image);
      const ms = Date.now() - t0;
      assert.equal(s.state, 'failed');
      assert.equal(s.error?.class, 'timeout', JSON.stringify(s.error));
      assert.equal(s.error?.mapping, `${nas.mountDir}/share -> /nas`);
      assert.ok(ms >= TIMEOUT_S * 1000 - 100, `failed after ${ms} ms: before its deadline?`);
      assert.ok(ms <= TIMEOUT_S * 1000 + MARGIN_MS, `failed after ${ms} ms: expected about ${TIMEOUT_S * 1000} ms`);
      assert.equal((await lab.containersOf(s.session_id)).length, 0);
    } finally {
      nas.resume();
    }
  });

  it('the same mapping with required: false launches without it and with a warning', async () => {
    const keep = await lab.folder(`/srv/tether-hang-keep-${lab.runId}`);
    const image = await lab.image({ [`${nas.mountDir}/share`]: mapping('/nas', { timeout: TIMEOUT_S, required: false }), [keep]: mapping('/keep') });
    nas.hang();
    try {
      const s = await lab.launch(await lab.user(), image);
      assert.equal(s.state, 'running', JSON.stringify(s.error));
      assert.deepEqual(s.mounts?.mounts.map((m) => m.bind), ['/keep']);
      assert.equal(s.warnings[0]?.class, 'timeout');
      assert.equal(s.warnings[0]?.mapping, `${nas.mountDir}/share -> /nas`);
    } finally {
      nas.resume();
    }
  });

  it('while five launches hang on it, the API answers within 1 s and a healthy launch succeeds', async () => {
    const hung = await lab.image({ [`${nas.mountDir}/share`]: mapping('/nas', { timeout: TIMEOUT_S }) });
    const healthyFolder = await lab.folder(`/srv/tether-hang-healthy-${lab.runId}`);
    const healthy = await lab.image({ [healthyFolder]: mapping('/ok') });
    const { token } = await env.api.makeUser(`hangu-${lab.runId}`);
    const users = await Promise.all([1, 2, 3, 4, 5].map((i) => env.api.makeUser(`hang${i}-${lab.runId}`)));
    const post = (t: string, image: string) => fetch(`${env.url}/api/v1/sessions`, {
      method: 'POST', headers: { authorization: `Bearer ${t}`, 'content-type': 'application/json' }, body: JSON.stringify({ image }),
    });
    nas.hang();
    try {
      const launched = await Promise.all(users.map(async (u) => (await post(u.token, hung.name)).json() as Promise<{ id: string; state: string }>));
      assert.equal(launched.length, 5);
      // The five are now waiting on the hung storage. The API must keep answering.
      for (let i = 0; i < 3; i++) {
        const t0 = performance.now();
        const me = await fetch(`${env.url}/api/v1/me`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(5_000) });
        const ms = performance.now() - t0;
        assert.equal(me.status, 200);
        assert.ok(ms < 1_000, `GET /api/v1/me took ${ms.toFixed(0)} ms while launches hang`);
      }
      const res = await post(token, healthy.name);
      assert.equal(res.status, 201);
      const created = await res.json() as { id: string };
      const ok = await lab.manager.waitForLaunch(created.id);
      assert.equal(ok.state, 'running', JSON.stringify(ok.error));
      const failed = await Promise.all(launched.map((l) => lab.manager.waitForLaunch(l.id)));
      for (const f of failed) {
        assert.equal(f.state, 'failed');
        assert.equal(f.error?.class, 'timeout');
        assert.equal((await lab.containersOf(f.session_id)).length, 0);
      }
    } finally {
      nas.resume();
    }
  });

  it('skip_check on hung storage: the folder is still opened (no symlinks) within the deadline, so the launch fails as timeout', async () => {
    const image = await lab.image({ [`${nas.mountDir}/share`]: mapping('/nas', { timeout: TIMEOUT_S, skip_check: true }) });
    nas.hang();
    try {
      const t0 = Date.now();
      const s = await lab.launch(await lab.user(), image);
      const ms = Date.now() - t0;
      assert.equal(s.state, 'failed');
      assert.equal(s.error?.class, 'timeout', JSON.stringify(s.error));
      assert.ok(ms <= TIMEOUT_S * 1000 + MARGIN_MS, `failed after ${ms} ms`);
      assert.equal((await lab.containersOf(s.session_id)).length, 0);
    } finally {
      nas.resume();
    }
  });

  it('storage that hangs between preparation and create: the engine create is abandoned at the deadline and no container is left', async () => {
    // The storage must die exactly after a successful preparation and before the engine's
    // create: the real preparer, with the SSHFS server stopped right after it answers.
    const real = createLocalHostPreparer();
    const hangsAfter: HostPreparer = {
      ...real,
      prepare: async (req, signal) => {
        const r = await real.prepare(req, signal);
        nas.hang();
        return r;
      },
    };
    const own = await sessionLab({ manager: { preparer: hangsAfter, lateContainerChecksMs: [500, 2_000, 5_000] } });
    let sessionId = '';
    try {
      const image = await own.image({ [`${nas.mountDir}/share`]: mapping('/nas', { timeout: TIMEOUT_S }) });
      try {
        const t0 = Date.now();
        const s = await own.launch(await own.user(), image);
        sessionId = s.session_id;
        const ms = Date.now() - t0;
        assert.equal(s.state, 'failed');
        assert.equal(s.error?.class, 'timeout', JSON.stringify(s.error));
        assert.match(s.error?.message ?? '', /did not create the container/);
        assert.ok(ms <= TIMEOUT_S * 1000 + MARGIN_MS, `failed after ${ms} ms`);
      } finally {
        nas.resume();
      }
      // The abandoned create goes on in the engine once the storage answers; the rollback has
      // released the stage by then, so it finds no source: no container appears (and one that
      // did would be removed by the follow-up checks at 0.5, 2 and 5 s).
      await new Promise((r) => setTimeout(r, 7_000));
      assert.equal((await own.containersOf(sessionId)).length, 0, 'a late container appeared and stayed');
      assert.equal(await containerRemovedAfterFailure(own, sessionId, 500), undefined, 'nothing to remove late');
    } finally {
      nas.resume();
      await own.cleanup();
      await real.close();
    }
  });
});
