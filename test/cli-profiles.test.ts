// `tether session launch --profile MODE` end to end: the real `tether server` process (SQLite
// in a temp data dir), the real Docker Engine and real host folders, driven by the real CLI.
// Exit codes (0 running, 1 refused by the server, 2 bad command line); the 403 for a mode one
// may not use and the 409 naming the session that holds the profile; and what each mode does
// to the profile folder on the host (Enabled mounts it, Disabled leaves it alone, Reset empties it).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTether, type TetherRun } from './helpers/cli.js';
import { freePort, login, startTetherServer, type ServerProcess } from './helpers/tether-server.js';
import { dockerClient, ensureDocker, execIn, removeLabelled, TEST_IMAGE } from './helpers/docker.js';
import { makeApi, type Api } from './helpers/http-api.js';
import { stopServer } from './proxy-lab.js';

const docker = dockerClient();

describe('tether session launch --profile against a real server and engine', { timeout: 300_000 }, () => {
  const run = randomUUID().slice(0, 8);
  const prefix = `/srv/tether-cli-profiles-${run}`;
  const image = `profiled-${run}`;
  const alice = `alice-${run}`;
  const bob = `bob-${run}`;
  const password = 'cli-profile-password';
  const profile = join(prefix, alice);
  let dataDir: string | undefined;
  let server: ServerProcess | undefined;
  let admin: Api;
  const tokens: Record<string, string> = {};
  const sessions: string[] = [];

  /** The CLI against this server as `user`, JSON output. */
  function cli(user: string, args: string[]): Promise<TetherRun> {
    return runTether(args, { env: { TETHER_URL: server!.url, TETHER_TOKEN: tokens[user]! }, timeoutMs: 120_000 });
  }

  /** `session launch --json`: the session on success (remembered for cleanup); `human` leaves out --json (errors as text). */
  async function launch(user: string, mode: string | null, human = false): Promise<TetherRun & { id?: string; session?: { state: string; container_id?: string; mounts: unknown } }> {
    const r = await cli(user, ['session', 'launch', '--image', image, ...(mode === null ? [] : ['--profile', mode]), ...(human ? [] : ['--json'])]);
    if (r.code !== 0 || human || !r.stdout.trim()) return r;
    const session = JSON.parse(r.stdout);
    sessions.push(session.id);
    return { ...r, id: session.id, session };
  }

  async function destroy(user: string, id: string): Promise<void> {
    const r = await cli(user, ['session', 'destroy', id]);
    assert.equal(r.code, 0, r.stderr);
  }

  before(async () => {
    await ensureDocker();
    await mkdir(prefix, { recursive: true });
    dataDir = await mkdtemp(join(tmpdir(), 'tether-cli-profiles-'));
    server = await startTetherServer({ port: await freePort(), dataDir, database: join(dataDir, 'tether.db') });
    admin = makeApi(server.url, await login(server.url));
    const group = await admin('POST', '/groups', { name: `profiles-${run}`, priority: 50, settings: { allow_persistent_profile: true } });
    assert.equal(group.status, 201, group.text);
    const img = await admin('POST', '/images', { name: image, docker_image: TEST_IMAGE, user: '1000:1000', persistent_profile_path: `${prefix}/{username}` });
    assert.equal(img.status, 201, img.text);
    assert.equal((await admin('POST', '/users', { username: alice, password, groups: [`profiles-${run}`] })).status, 201);
    assert.equal((await admin('POST', '/users', { username: bob, password })).status, 201);
    tokens[alice] = await login(server.url, alice, password);
    tokens[bob] = await login(server.url, bob, password);
  });

  after(async () => {
    await stopServer(server);
    for (const id of sessions) await removeLabelled(docker, `tether.session=${id}`);
    await rm(prefix, { recursive: true, force: true });
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('a bad mode is exit 2 before anything is sent', async () => {
    const r = await launch(alice, 'wipe', true);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--profile "wipe": expected enabled, disabled or reset/);
    assert.equal((await admin('GET', '/sessions')).json.length, 0, 'no session was asked for');
  });

  it('enabled: exit 0, the profile created on the host as the image user and mounted as HOME', async () => {
    const r = await launch(alice, 'enabled');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.session!.state, 'running');
    const st = await stat(profile);
    assert.deepEqual([st.uid, st.gid], [1000, 1000]);
    const w = await execIn(docker, r.session!.container_id!, ['sh', '-c', 'echo kept > "$HOME/notes.txt"'], '1000:1000');
    assert.equal(w.code, 0, w.output);
    assert.equal(await readFile(join(profile, 'notes.txt'), 'utf8'), 'kept\n');
  });

  it('while a session holds the profile: reset is exit 1 with the 409 naming the holder; disabled runs beside it and leaves the profile alone', async () => {
    const holder = sessions.at(-1)!;
    const refused = await launch(alice, 'reset', true);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, new RegExp(`the persistent profile ${profile} is in use by session ${holder} \\(running, since [^)]+\\)`));
    assert.match(refused.stderr, /launch with persistent_profile_mode "disabled" for a throw-away home.*HTTP 409/);
    assert.equal(await readFile(join(profile, 'notes.txt'), 'utf8'), 'kept\n', 'the refused reset deleted nothing');

    // --json: the same refusal as JSON on stderr
    const second = await launch(alice, 'enabled');
    assert.equal(second.code, 1);
    const err = JSON.parse(second.stderr) as { status: number; message: string };
    assert.equal(err.status, 409);
    assert.match(err.message, new RegExp(`in use by session ${holder}`));

    const disabled = await launch(alice, 'DISABLED');
    assert.equal(disabled.code, 0, disabled.stderr);
    const probe = await execIn(docker, disabled.session!.container_id!, ['sh', '-c', 'ls /home/user/notes.txt || echo absent'], '1000:1000');
    assert.match(probe.output, /absent/, 'the disabled session does not see the stored profile');
    await destroy(alice, disabled.id!);
    await destroy(alice, holder);
    assert.equal(await readFile(join(profile, 'notes.txt'), 'utf8'), 'kept\n', 'destroy keeps the profile');
  });

  it('reset: exit 0 once the profile is free; its content is gone on the host, the folder is there for the new session', async () => {
    await mkdir(join(profile, '.config/app'), { recursive: true });
    await writeFile(join(profile, '.config/app/settings'), 'old');
    const r = await launch(alice, 'reset');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(await readdir(profile), [], 'the reset profile is empty (the test image has no home to seed from)');
    const w = await execIn(docker, r.session!.container_id!, ['sh', '-c', 'echo fresh > "$HOME/new.txt"'], '1000:1000');
    assert.equal(w.code, 0, w.output);
    assert.equal(await readFile(join(profile, 'new.txt'), 'utf8'), 'fresh\n', 'the new session writes into the same folder');
    await destroy(alice, r.id!);
    const audit = await admin('GET', '/audit?action=profile.reset');
    assert.equal(audit.status, 200, audit.text);
    const entry = (audit.json as Array<{ target_name: string; after: { session_id: string; removed: unknown } }>)[0];
    assert.equal(entry?.target_name, profile);
    assert.equal(entry?.after.session_id, r.id);
    assert.ok(entry?.after.removed, `the audit entry says what was removed: ${JSON.stringify(entry)}`);
  });

  it('a user whose groups do not allow profiles: reset is exit 1 with the 403 and its reason; enabled gets a fresh home', async () => {
    const refused = await launch(bob, 'Reset', true);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /persistent profile mode "reset" is not available: none of the user's groups allows persistent profiles \(group setting allow_persistent_profile\).*HTTP 403/);
    const fresh = await launch(bob, 'enabled');
    assert.equal(fresh.code, 0, fresh.stderr);
    await assert.rejects(stat(join(prefix, bob)), /ENOENT/, 'no profile folder for a user without profiles');
    await destroy(bob, fresh.id!);
  });
});
