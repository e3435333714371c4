// Persistent profiles on the real engine with real folders: the profile is created on first
// launch with the session user as owner, seeded from the image's home and never overwritten,
// mounted as HOME (source `profile`); a file survives destroy and relaunch; Disabled leaves it
// untouched; Reset empties it and nothing outside it (symlinks to a sibling's profile and to a
// decoy go as links, their targets stay), is audited, and its crash leftovers are cleaned;
// hostile usernames and planted symlinks reach no other profile; one writer under 20
// simultaneous launches and across a restart (the lock is in the store); a user whose groups
// do not allow profiles gets a fresh home and cannot ask for Reset (403 through the API).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { lstat, mkdir, readdir, readFile, readlink, stat, symlink, writeFile } from 'node:fs/promises';
import pino from 'pino';
import { DEFAULT_POLICY } from '../src/mappings/index.js';
import { createSessionManager, SessionError, type SessionManager } from '../src/sessions/index.js';
import type { GroupRecord, ImageRecord, SessionRecord, UserRecord } from '../src/store/types.js';
import { apiCall } from './helpers/http-api.js';
import { execIn, TEST_IMAGE } from './helpers/docker.js';
import { ADMIN_ACTOR, FAST_STOP_CMD, sessionApiLab, type SessionLab, type SessionApiLab } from './helpers/sessions.js';

type Mode = 'enabled' | 'disabled' | 'reset';

describe('persistent profiles (real engine)', () => {
  let env: SessionApiLab;
  let lab: SessionLab;
  let prefix: string;
  let decoy: string;
  let allowed: GroupRecord;
  let seedImage: string;
  before(async () => {
    env = await sessionApiLab();
    lab = env.lab;
    prefix = await lab.folder(`/srv/tether-profiles-${lab.runId}`);
    decoy = await lab.folder(`/srv/tether-profile-decoy-${lab.runId}`);
    await writeFile(`${decoy}/decoy-marker`, 'decoy');
    allowed = await lab.group({ allow_persistent_profile: true, max_sessions_per_user: 25 });
    // an image whose own home holds default files (a config file in a folder, a symlink out)
    seedImage = `tether-test/profile-seed:${lab.runId}`;
    const c = await lab.docker.createContainer({
      Image: TEST_IMAGE,
      Cmd: ['sh', '-c', 'mkdir -p /home/user/.config/app && echo default > /home/user/.config/app/settings && echo hi > /home/user/readme && ln -s /etc/passwd /home/user/passwd-link && chmod 4755 /home/user/readme'],
    });
    await c.start();
    await c.wait();
    await c.commit({ repo: seedImage.split(':')[0], tag: lab.runId });
    await c.remove();
  });
  after(async () => {
    await env?.cleanup();
    await lab?.docker.getImage(seedImage).remove({ force: true }).catch(() => undefined);
  });

  async function profileImage(o: Partial<ImageRecord> = {}): Promise<ImageRecord> {
    return lab.image({}, { persistent_profile_path: `${prefix}/{username}/{image_id}`, ...o });
  }
  async function member(name = `p${randomUUID().slice(0, 6)}`): Promise<UserRecord> {
    return lab.user({ username: `${name}-${lab.runId}`, groups: [allowed] });
  }
  function profileDir(user: UserRecord, image: ImageRecord): string {
    return `${prefix}/${user.username}/${image.image_id.toLowerCase()}`;
  }
  async function launch(user: UserRecord, image: ImageRecord, mode?: Mode, manager: SessionManager = lab.manager): Promise<SessionRecord> {
    const rec = await manager.launch({ imageId: image.image_id, userId: user.user_id, actor: ADMIN_ACTOR, ...(mode ? { persistent_profile_mode: mode } : {}) });
    return manager.waitForLaunch(rec.session_id);
  }
  async function running(user: UserRecord, image: ImageRecord, mode?: Mode): Promise<SessionRecord> {
    const s = await launch(user, image, mode);
    assert.equal(s.state, 'running', JSON.stringify(s.error));
    return s;
  }
  const sh = (s: SessionRecord, script: string, user = '1000:1000') => execIn(lab.docker, s.container_id as string, ['sh', '-c', script], user);
  const destroy = (s: SessionRecord) => lab.manager.destroy(s.session_id, ADMIN_ACTOR);

  it('first launch creates the profile owned by the image user, mounts it as HOME (source profile); a file in home survives destroy and relaunch', async () => {
    const alice = await member('alice');
    const image = await profileImage({ user: '4242:4343' });
    const dir = profileDir(alice, image);
    await assert.rejects(stat(dir), /ENOENT/);
    const s1 = await running(alice, image);
    const st = await stat(dir);
    assert.equal(`${st.uid}:${st.gid}`, '4242:4343');
    const m = s1.mounts?.mounts.find((x) => x.bind === '/home/user');
    assert.deepEqual(m && { host_path: m.host_path, mode: m.mode, source: m.source.kind }, { host_path: dir, mode: 'rw', source: 'profile' });
    const home = await sh(s1, 'echo "$HOME"; echo kept > "$HOME/notes.txt"', '4242:4343');
    assert.equal(home.code, 0, home.output);
    assert.equal(home.output.trim(), '/home/user');
    await destroy(s1);
    assert.equal(await readFile(`${dir}/notes.txt`, 'utf8'), 'kept\n', 'destroy never deletes the profile');
    const s2 = await running(alice, image);
    assert.equal((await sh(s2, 'cat /home/user/notes.txt', '4242:4343')).output, 'kept\n');
    await destroy(s2);
  });

  it('a new profile is seeded from the image\'s home (owner the session user, setuid dropped, links as links) and never overwritten later', async () => {
    const carol = await member('carol');
    const image = await profileImage({ docker_image: seedImage });
    const dir = profileDir(carol, image);
    const s1 = await running(carol, image);
    assert.equal(await readFile(`${dir}/.config/app/settings`, 'utf8'), 'default\n');
    const st = await stat(`${dir}/.config/app/settings`);
    assert.equal(`${st.uid}:${st.gid}`, '1000:1000');
    assert.equal((await stat(`${dir}/readme`)).mode & 0o4000, 0, 'no setuid bit in a profile');
    assert.ok((await lstat(`${dir}/passwd-link`)).isSymbolicLink());
    assert.equal(await readlink(`${dir}/passwd-link`), '/etc/passwd');
    await sh(s1, 'echo mine > /home/user/.config/app/settings && rm /home/user/readme');
    await destroy(s1);
    const s2 = await running(carol, image);
    assert.equal(await readFile(`${dir}/.config/app/settings`, 'utf8'), 'mine\n', 'a seeded file changed by the user is not overwritten');
    await assert.rejects(stat(`${dir}/readme`), /ENOENT/, 'a seeded file the user deleted does not come back');
    await destroy(s2);
  });

  it('Disabled: a throw-away home; the stored profile is untouched and not locked', async () => {
    const dave = await member('dave');
    const image = await profileImage();
    const dir = profileDir(dave, image);
    const s1 = await running(dave, image);
    await sh(s1, 'echo stored > /home/user/keep.txt');
    await destroy(s1);
    const before = (await stat(`${dir}/keep.txt`)).mtimeMs;
    const d = await running(dave, image, 'disabled');
    assert.equal(d.mounts?.mounts.some((m) => m.source.kind === 'profile'), false);
    const probe = await sh(d, 'ls /home/user/keep.txt 2>&1; echo "HOME=$HOME"', '0:0');
    assert.doesNotMatch(probe.output, /^\/home\/user\/keep\.txt$/m, 'the disabled session does not see the profile');
    // the profile is free: an enabled session may run beside the disabled one
    const e = await running(dave, image);
    await destroy(d);
    await destroy(e);
    assert.equal(await readFile(`${dir}/keep.txt`, 'utf8'), 'stored\n');
    assert.equal((await stat(`${dir}/keep.txt`)).mtimeMs, before);
  });

  it('Reset empties the profile and nothing outside it: links to a sibling\'s profile and to a decoy go as links; audited with counts', async () => {
    const erin = await member('erin');
    const bob = await member('bob');
    const image = await profileImage();
    const dir = profileDir(erin, image);
    const bobDir = profileDir(bob, image);
    await destroy(await running(bob, image));
    await writeFile(`${bobDir}/bob-marker`, 'bob');
    const s1 = await running(erin, image);
    await sh(s1, 'mkdir -p /home/user/a/b && echo 12345 > /home/user/a/b/f && echo xy > /home/user/top');
    await destroy(s1);
    // planted on the host (a session could plant links too, pointing anywhere)
    await symlink(bobDir, `${dir}/to-bob`);
    await symlink(decoy, `${dir}/to-decoy`);
    await symlink(`${decoy}/decoy-marker`, `${dir}/a/to-marker`);
    const s2 = await running(erin, image, 'reset');
    assert.deepEqual(await readdir(dir), [], 'the reset profile is empty (the test image has no home to seed from)');
    assert.equal(await readFile(`${bobDir}/bob-marker`, 'utf8'), 'bob', 'the sibling\'s profile is intact');
    assert.equal(await readFile(`${decoy}/decoy-marker`, 'utf8'), 'decoy', 'the decoy is intact');
    assert.ok((await readdir(`${prefix}/${erin.username}`)).every((n) => !n.startsWith('.tether-')), 'no leftover beside the profile');
    const audit = (await lab.store.audit.list({ action: 'profile.reset', target_id: erin.user_id }))[0];
    const removed = (audit?.after as { removed: { entries: number; bytes: number } }).removed;
    // a/, a/b/, a/b/f, top, to-bob, to-decoy, a/to-marker
    assert.deepEqual({ entries: removed.entries, bytes: removed.bytes }, { entries: 7, bytes: 9 });
    assert.equal((audit?.after as { host_path: string }).host_path, dir);
    await destroy(s2);
  });

  it('a Reset interrupted by a crash is finished at the next launch: leftovers removed, the profile old or empty', async () => {
    const fay = await member('fay');
    const image = await profileImage();
    const dir = profileDir(fay, image);
    await destroy(await running(fay, image));
    const parent = `${prefix}/${fay.username}`;
    const name = image.image_id.toLowerCase();
    // crash after the old profile was moved aside, before the new one took its name
    const { rename } = await import('node:fs/promises');
    await writeFile(`${dir}/old`, 'old');
    await rename(dir, `${parent}/.tether-reset~${name}`);
    await mkdir(`${parent}/.tether-new~${name}/half`, { recursive: true });
    const s = await running(fay, image);
    assert.deepEqual(await readdir(dir), [], 'a fresh, empty profile: never a half-deleted one');
    assert.deepEqual((await readdir(parent)).sort(), [name]);
    await destroy(s);
  });

  it('hostile usernames and planted symlinks reach no other profile', async () => {
    const image = await profileImage();
    const bob = await member('bob2');
    const bobDir = profileDir(bob, image);
    await destroy(await running(bob, image));
    await writeFile(`${bobDir}/bob-marker`, 'bob');
    // a name the API refuses, stored directly: the launch fails, nothing is mounted
    const dots = await lab.user({ username: '..', groups: [allowed] });
    const bad = await launch(dots, image);
    assert.equal(bad.state, 'failed');
    assert.match(bad.error?.message ?? '', /username/);
    // mallory's profile folder is a symlink to bob's (planted by whoever can write the prefix)
    const mallory = await member('mallory');
    await mkdir(`${prefix}/${mallory.username}`);
    await symlink(bobDir, profileDir(mallory, image));
    const refused = await launch(mallory, image);
    assert.equal(refused.state, 'failed');
    assert.equal(refused.error?.class, 'policy');
    assert.match(refused.error?.message ?? '', /symlink/);
    // Reset by mallory removes the link itself, never bob's files
    const reset = await running(mallory, image, 'reset');
    assert.ok((await lstat(profileDir(mallory, image))).isDirectory());
    assert.equal(await readFile(`${bobDir}/bob-marker`, 'utf8'), 'bob');
    await destroy(reset);
  });

  it('one writer: of 20 simultaneous launches by one user exactly one gets the profile, the others are told who holds it; destroy releases it; the lock survives a restart', async () => {
    const gus = await member('gus');
    const image = await profileImage();
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => lab.manager.launch({ imageId: image.image_id, userId: gus.user_id, actor: ADMIN_ACTOR })));
    const won = results.filter((r): r is PromiseFulfilledResult<SessionRecord> => r.status === 'fulfilled');
    assert.equal(won.length, 1, `expected one launch to get the profile, got ${won.length}`);
    const holder = won[0]!.value.session_id;
    for (const r of results) {
      if (r.status === 'rejected') {
        assert.ok(r.reason instanceof SessionError && r.reason.code === 'profile_in_use', String(r.reason));
        assert.match(r.reason.message, new RegExp(`in use by session ${holder}`));
      }
    }
    const s = await lab.manager.waitForLaunch(holder);
    assert.equal(s.state, 'running', JSON.stringify(s.error));
    // a second manager over the same store, as after a server restart: the lock holds
    const restarted = createSessionManager({
      store: lab.store, runtime: lab.runtime, preparer: lab.preparer, policy: DEFAULT_POLICY, logger: pino({ level: 'silent' }), containerCmd: () => FAST_STOP_CMD,
    });
    try {
      await restarted.reconcile();
      await assert.rejects(restarted.launch({ imageId: image.image_id, userId: gus.user_id, actor: ADMIN_ACTOR }), (err: unknown) => err instanceof SessionError && err.code === 'profile_in_use');
    } finally {
      await restarted.close();
    }
    await destroy(s);
    assert.equal(await lab.store.profileLocks.get(profileDir(gus, image)), undefined, 'destroy released the profile');
    await destroy(await running(gus, image));
  });

  it('a failed launch releases the profile', async () => {
    const hal = await member('hal');
    // the profile's preparation fails: its prefix does not exist
    const image = await profileImage({ persistent_profile_path: `${prefix}-missing/{username}` });
    const s = await launch(hal, image);
    assert.equal(s.state, 'failed');
    assert.equal(s.error?.class, 'missing');
    assert.deepEqual(await lab.store.profileLocks.list().then((l) => l.filter((x) => x.session_id === s.session_id)), []);
  });

  it('a user without allow_persistent_profile gets a fresh home and cannot ask for Reset (API: 403 with the reason; 400 for an unknown mode; 409 naming the holder)', async () => {
    const image = await profileImage();
    const { user: ivy, token } = await env.api.makeUser(`ivy-${lab.runId}`);
    const plain = await running(ivy, image);
    assert.equal(plain.mounts?.mounts.some((m) => m.source.kind === 'profile'), false);
    await assert.rejects(stat(profileDir(ivy, image)), /ENOENT/, 'no profile is created for her');
    await destroy(plain);
    const call = (body: unknown, t = token) => apiCall(env.url, t, 'POST', '/api/v1/sessions', body);
    const reset = await call({ image: image.name, persistent_profile_mode: 'Reset' });
    assert.equal(reset.status, 403, reset.text);
    assert.match(reset.json.message, /allow_persistent_profile/);
    // Enabled, which Kasm clients send with every launch, gets her the fresh home, not a 403
    const enabled = await call({ image: image.name, persistent_profile_mode: 'Enabled' });
    assert.equal(enabled.status, 201, enabled.text);
    const fresh = await lab.manager.waitForLaunch(enabled.json.id);
    assert.equal(fresh.mounts?.mounts.some((m) => m.source.kind === 'profile'), false);
    await assert.rejects(stat(profileDir(ivy, image)), /ENOENT/);
    await destroy(fresh);
    const view = await apiCall(env.url, token, 'GET', `/api/v1/effective-mounts?image=${image.name}`);
    assert.deepEqual([view.json.profile.allowed, view.json.profile.modes], [false, ['disabled']]);
    assert.equal((await call({ image: image.name, persistent_profile_mode: 'sometimes' })).status, 400);
    // a member of an allowing group: Kasm's capitalized mode works; a second writer is 409 naming the first
    const { user: jay, token: jayToken } = await env.api.makeUser(`jay-${lab.runId}`);
    await lab.store.groups.addMember(allowed.group_id, jay.user_id);
    const offered = await apiCall(env.url, jayToken, 'GET', `/api/v1/effective-mounts?image=${image.name}`);
    assert.deepEqual([offered.json.profile.allowed, offered.json.profile.host_path], [true, profileDir(jay, image)]);
    const first = await call({ image: image.name, persistent_profile_mode: 'Enabled' }, jayToken);
    assert.equal(first.status, 201, first.text);
    const second = await call({ image: image.name }, jayToken);
    assert.equal(second.status, 409, second.text);
    assert.match(second.json.message, new RegExp(first.json.id));
    const s = await lab.manager.waitForLaunch(first.json.id);
    await destroy(s);
  });
});
