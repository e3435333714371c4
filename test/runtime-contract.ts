// The Runtime contract, as a suite any backend runs (docker, swarm): pass a factory.
// Everything is real: the engine, the bind mounts, the user, the limits.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type { ContainerSpec, Runtime } from '../src/runtime/types.js';
import { isRuntimeError } from '../src/runtime/errors.js';

export interface RuntimeUnderTest {
  runtime: Runtime;
  /** runs a command inside a running container (backend-specific: exec into the engine) */
  exec(containerId: string, cmd: string[]): Promise<{ code: number; output: string }>;
  /** an image the target has, whose default command keeps running */
  image: string;
  /** create already runs it (swarm: a service returns once its task runs); start is then a no-op */
  createRuns?: boolean;
  /** removes whatever the tests left behind (containers labelled with this run's session prefix) */
  cleanup(sessionPrefix: string): Promise<void>;
}

export function runtimeContract(name: string, factory: () => Promise<RuntimeUnderTest>): void {
  describe(`Runtime contract: ${name}`, () => {
    let t: RuntimeUnderTest;
    const run = `rt${process.pid}${Date.now().toString(36)}`;
    const hostDir = mkdtempSync('/tmp/tether-runtime-');
    let n = 0;

    function spec(extra: Partial<ContainerSpec> = {}): ContainerSpec {
      const sessionId = `${run}-s${++n}`;
      return {
        name: `tether-${sessionId}`, image: t.image, user: null, mounts: [],
        sessionId, userId: `user-${n}`, imageId: `image-${n}`, cores: null, memory: null, ...extra,
      };
    }

    before(async () => {
      t = await factory();
    });
    after(async () => {
      await t?.cleanup(run);
      rmSync(hostDir, { recursive: true, force: true });
    });

    it('creates, starts, inspects, lists, finds by session and removes, with labels, user and limits', async () => {
      const s = spec({ user: '1000:1000', cores: 0.5, memory: 64 * 1024 * 1024 });
      const id = await t.runtime.create(s);
      const created = await t.runtime.inspect(id);
      assert.equal(created?.running, t.createRuns === true);
      assert.equal(created?.state, t.createRuns ? 'running' : 'created');
      await t.runtime.start(id);
      const info = await t.runtime.inspect(id);
      assert.ok(info);
      assert.equal(info.name, s.name);
      assert.equal(info.running, true);
      assert.equal(info.sessionId, s.sessionId);
      assert.equal(info.userId, s.userId);
      assert.equal(info.imageId, s.imageId);
      assert.equal(info.labels.tether, '1');
      assert.equal(info.user, '1000:1000');
      assert.deepEqual(info.limits, { nanoCpus: 500_000_000, memory: 64 * 1024 * 1024 });
      const idOut = await t.exec(id, ['id']);
      assert.match(idOut.output, /uid=1000\b.*gid=1000\b/);
      assert.ok((await t.runtime.list()).some((c) => c.id === id));
      assert.equal((await t.runtime.findBySession(s.sessionId))?.id, id);
      assert.equal(await t.runtime.findBySession(`${run}-nobody`), undefined);
      await t.runtime.remove(id);
      assert.equal(await t.runtime.inspect(id), undefined);
      assert.ok(!(await t.runtime.list()).some((c) => c.id === id));
      await t.runtime.remove(id); // missing is fine
    });

    it('stops a running container; stopping again or a missing one is fine', async () => {
      const id = await t.runtime.create(spec());
      await t.runtime.start(id);
      await t.runtime.stop(id, { timeoutSeconds: 0 });
      const info = await t.runtime.inspect(id);
      assert.equal(info?.running, false);
      assert.equal(info?.state, 'exited');
      await t.runtime.stop(id, { timeoutSeconds: 0 });
      await t.runtime.stop(`${run}-no-such-container`);
      await t.runtime.remove(id);
    });

    it('runs as the image user when spec.user is null', async () => {
      const id = await t.runtime.create(spec());
      await t.runtime.start(id);
      assert.match((await t.exec(id, ['id'])).output, /uid=0\b/);
      await t.runtime.remove(id);
    });

    it('enforces rw and ro bind mounts for real, and remove leaves host data intact', async () => {
      const rw = `${hostDir}/rw`;
      const ro = `${hostDir}/ro`;
      mkdirSync(rw);
      mkdirSync(ro);
      chmodSync(ro, 0o777); // so only the read-only mount, not permissions, refuses the write
      writeFileSync(`${rw}/existing`, 'before');
      const id = await t.runtime.create(spec({
        user: '1000:1000',
        mounts: [{ source: rw, target: '/share', readOnly: false }, { source: ro, target: '/ro', readOnly: true }],
      }));
      await t.runtime.start(id);
      const info = await t.runtime.inspect(id);
      assert.deepEqual(info?.mounts.map((m) => [m.target, m.readOnly]).sort(), [['/ro', true], ['/share', false]]);
      // rw as uid 1000 in a folder it does not own would fail for permissions: make it 1000's
      chmodSync(rw, 0o777);
      const write = await t.exec(id, ['sh', '-c', 'echo hello > /share/from-container && cat /share/existing']);
      assert.equal(write.code, 0, write.output);
      assert.equal(readFileSync(`${rw}/from-container`, 'utf8'), 'hello\n');
      assert.equal(statSync(`${rw}/from-container`).uid, 1000);
      const refused = await t.exec(id, ['touch', '/ro/nope']);
      assert.notEqual(refused.code, 0);
      assert.match(refused.output, /Read-only file system/);
      assert.equal(existsSync(`${ro}/nope`), false);
      await t.runtime.remove(id);
      assert.equal(readFileSync(`${rw}/existing`, 'utf8'), 'before');
      assert.equal(readFileSync(`${rw}/from-container`, 'utf8'), 'hello\n');
      assert.ok(existsSync(ro));
    });

    it('translates engine errors: conflict on a used name, not_found on a missing container, bad source', async () => {
      const s = spec();
      const id = await t.runtime.create(s);
      await assert.rejects(t.runtime.create({ ...s, sessionId: `${s.sessionId}-dup` }), (err) => isRuntimeError(err, 'conflict'));
      await t.runtime.remove(id);
      await assert.rejects(t.runtime.start(`${run}-no-such-container`), (err) => isRuntimeError(err, 'not_found'));
      await assert.rejects(
        t.runtime.create(spec({ mounts: [{ source: `${hostDir}/does-not-exist`, target: '/x', readOnly: false }] })),
        (err) => isRuntimeError(err, 'bind_source_missing') && /does-not-exist/.test(err.message),
      );
      assert.equal(existsSync(`${hostDir}/does-not-exist`), false, 'the engine must not create a missing bind source');
      await assert.rejects(t.runtime.create(spec({ image: 'tether-test/never-built:1' })), (err) => isRuntimeError(err, 'image_not_found'));
    });

    it('honours an already aborted signal on create and creates nothing', async () => {
      const s = spec();
      await assert.rejects(t.runtime.create(s, AbortSignal.abort()), (err) => isRuntimeError(err, 'aborted'));
      assert.equal(await t.runtime.findBySession(s.sessionId), undefined);
    });
  });
}
