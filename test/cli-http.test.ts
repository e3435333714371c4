// End to end: a real `tether server` process (SQLite in a temp data dir) driven by the real
// `tether` CLI, checking outputs and exit codes (0 ok, 1 server refused, 2 usage/connection).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTether, type TetherRun } from './helpers/cli.js';
import { freePort, startTetherServer, type ServerProcess } from './helpers/tether-server.js';

const ADMIN_PASSWORD = 'cli-admin-password';

describe('tether CLI over HTTP against a real server', () => {
  let dir: string;
  let server: ServerProcess | undefined;
  let url: string;
  let adminToken = '';

  /** The CLI against this server, as the administrator unless `token` says otherwise (null: no token). */
  function cli(args: string[], opts: { stdin?: string; token?: string | null; url?: string } = {}): Promise<TetherRun> {
    const env = { TETHER_URL: opts.url ?? url, ...(opts.token === null ? {} : { TETHER_TOKEN: opts.token ?? adminToken }) };
    return runTether(args, { env, stdin: opts.stdin });
  }

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tether-cli-'));
    const dataDir = join(dir, 'data');
    // the database at its default place: `admin reset-password --data-dir` below finds it there
    server = await startTetherServer({ port: await freePort(), dataDir, database: join(dataDir, 'tether.db'), env: { TETHER_ADMIN_PASSWORD: ADMIN_PASSWORD } });
    url = server.url;
  });

  after(async () => {
    if (server) {
      const killer = setTimeout(() => server!.child.kill('SIGKILL'), 10_000);
      await server.kill('SIGTERM');
      clearTimeout(killer);
    }
    await rm(dir, { recursive: true, force: true });
  });

  it('prints the first administrator notice once', () => {
    assert.match(server!.output(), /Created administrator "admin" with the password from TETHER_ADMIN_PASSWORD/);
  });

  it('logs in (plain and --json) and rejects a wrong password with exit 1', async () => {
    const [plain, json, wrong] = await Promise.all([
      cli(['login', '--username', 'admin', '--password-stdin'], { stdin: `${ADMIN_PASSWORD}\n`, token: null }),
      cli(['login', '--username', 'admin', '--password-stdin', '--json'], { stdin: ADMIN_PASSWORD, token: null }),
      cli(['login', '--username', 'admin', '--password-stdin'], { stdin: 'not-the-password', token: null }),
    ]);
    assert.equal(plain.code, 0, plain.stderr);
    assert.match(plain.stdout.trim(), /^tth_[A-Za-z0-9_-]{43}$/);
    assert.equal(json.code, 0, json.stderr);
    adminToken = JSON.parse(json.stdout).token;
    assert.match(adminToken, /^tth_/);
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /invalid username or password.*HTTP 401/);
  });

  it('manages groups, users and images, shows effective mounts', async () => {
    await writeFile(join(dir, 'devs.json'), JSON.stringify({ '/srv/devs/{username}': { bind: '/data', uid: 1000, gid: 1000 } }));
    await writeFile(join(dir, 'image.json'), JSON.stringify({ '/var/kasm_user_share': { bind: '/share', mode: 'ro' } }));
    await writeFile(join(dir, 'bad.json'), '{"/srv/x": {"bind": "/x", "uid": "1000", "bind": "/y"}}');
    const group = await cli(['group', 'create', 'devs', '--priority', '10', '--volume-mappings', join(dir, 'devs.json')]);
    assert.equal(group.code, 0, group.stderr);
    assert.match(group.stdout, /created group devs/);
    const user = await cli(['user', 'create', 'alice', '--password-stdin', '--group', 'devs'], { stdin: 'alice-password\n' });
    assert.equal(user.code, 0, user.stderr);

    const [set, badSetting, badDoc, noPw] = await Promise.all([
      cli(['group', 'set', 'devs', 'max_sessions_per_user', '3']),
      cli(['group', 'set', 'devs', 'colour', '"red"']),
      cli(['group', 'set', 'devs', 'volume_mappings', `@${join(dir, 'bad.json')}`]),
      cli(['user', 'create', 'bob']),
    ]);
    assert.equal(set.code, 0, set.stderr);
    assert.match(set.stdout, /max_sessions_per_user = 3/);
    assert.equal(badSetting.code, 1);
    assert.match(badSetting.stderr, /settings\.colour: unknown setting "colour"/);
    assert.equal(badDoc.code, 1);
    assert.match(badDoc.stderr, /settings\.volume_mappings\."\/srv\/x"\.bind: .*more than once/);
    assert.match(badDoc.stderr, /settings\.volume_mappings\."\/srv\/x"\.uid/);
    assert.equal(noPw.code, 2, 'usage error');

    const image = await cli(['image', 'create', 'desk', '--docker-image', 'kasmweb/desktop:1.16.0', '--volume-mappings', join(dir, 'image.json'), '--user', '1000:1000', '--memory', '2g', '--persistent-profile-path', '/srv/profiles/{username}']);
    assert.equal(image.code, 0, image.stderr);
    const updated = await cli(['image', 'update', 'desk', '--friendly-name', 'Desktop', '--cores', '2', '--json']);
    assert.equal(updated.code, 0, updated.stderr);
    const desk = JSON.parse(updated.stdout);
    assert.equal(desk.friendly_name, 'Desktop');
    assert.equal(desk.memory, 2 * 1024 ** 3);
    assert.equal(desk.user, '1000:1000');

    const [users, groups, images, mounts, show] = await Promise.all([
      cli(['user', 'list']),
      cli(['group', 'list', '--json']),
      cli(['image', 'list']),
      cli(['mounts', '--image', 'desk', '--user', 'alice']),
      cli(['group', 'show', 'devs']),
    ]);
    assert.match(users.stdout, /^USERNAME\s+USER_ID\s+DISABLED\s+CREATED\n/);
    assert.match(users.stdout, /\nalice\s+[0-9a-f-]{36}\s+false/);
    assert.deepEqual(JSON.parse(groups.stdout).map((g: { name: string }) => g.name), ['Administrators', 'devs', 'All Users']);
    assert.match(images.stdout, /desk\s+kasmweb\/desktop:1\.16\.0\s+true\s+1\s+everyone/);
    assert.equal(mounts.code, 0, mounts.stderr);
    assert.match(mounts.stdout, /\/data\s+\/srv\/devs\/alice\s+rw\s+1000:1000\s+true\s+group devs \(10\)/);
    assert.match(mounts.stdout, /\/share\s+\/var\/kasm_user_share\s+ro/);
    assert.match(show.stdout, /members:\s+alice/);
    assert.match(show.stdout, /max_sessions_per_user:\s+3/);
  });

  it('keeps users to their own business (exit 1 with the server\'s 403)', async () => {
    const login = await cli(['login', '--username', 'alice', '--password-stdin', '--json'], { stdin: 'alice-password', token: null });
    const aliceToken = JSON.parse(login.stdout).token;
    const [list, mounts, images] = await Promise.all([
      cli(['user', 'list'], { token: aliceToken }),
      cli(['mounts', '--image', 'desk', '--user', 'admin'], { token: aliceToken }),
      cli(['image', 'list', '--json'], { token: aliceToken }),
    ]);
    assert.equal(list.code, 1);
    assert.match(list.stderr, /administrators only \(HTTP 403\)/);
    assert.equal(mounts.code, 1);
    assert.match(mounts.stderr, /HTTP 403/);
    assert.equal(JSON.parse(images.stdout).length, 1);
  });

  it('sets and clears web_port (--web-port none); refuses a bad --web-port or --timeout with exit 2', async () => {
    const set = await cli(['image', 'update', 'desk', '--web-port', '6901', '--json']);
    assert.equal(set.code, 0, set.stderr);
    assert.equal(JSON.parse(set.stdout).web_port, 6901);
    const cleared = await cli(['image', 'update', 'desk', '--web-port', 'none', '--json']);
    assert.equal(cleared.code, 0, cleared.stderr);
    assert.equal(JSON.parse(cleared.stdout).web_port, null);
    const [badPort, badTimeout, zeroTimeout] = await Promise.all([
      cli(['image', 'update', 'desk', '--web-port', 'abc']),
      // checked before anything is sent: no session is launched
      cli(['session', 'launch', '--image', 'desk', '--timeout', 'abc']),
      cli(['session', 'launch', '--image', 'desk', '--timeout', '0']),
    ]);
    assert.equal(badPort.code, 2, badPort.stderr);
    assert.match(badPort.stderr, /--web-port "abc": expected a port number/);
    assert.equal(badTimeout.code, 2, badTimeout.stderr);
    assert.match(badTimeout.stderr, /--timeout "abc": expected a positive number of seconds/);
    assert.equal(zeroTimeout.code, 2, zeroTimeout.stderr);
    assert.match(zeroTimeout.stderr, /--timeout "0": expected a positive number of seconds/);
    const sessions = await cli(['session', 'list', '--json']);
    assert.deepEqual(JSON.parse(sessions.stdout), [], 'no session was launched');
  });

  it('creates, lists and revokes API tokens', async () => {
    const created = await cli(['token', 'create', 'ci', '--json']);
    assert.equal(created.code, 0, created.stderr);
    const { token, token_id } = JSON.parse(created.stdout);
    const list = await cli(['token', 'list'], { token });
    assert.match(list.stdout, new RegExp(`${token_id}\\s+ci`));
    const revoked = await cli(['token', 'revoke', token_id], { token });
    assert.equal(revoked.code, 0, revoked.stderr);
    const after = await cli(['token', 'list'], { token });
    assert.equal(after.code, 1);
    assert.match(after.stderr, /HTTP 401/);
  });

  it('stores registry credentials encrypted from stdin, never shows them, clears them with --no-registry-auth', async () => {
    const secret = 'registry-pass-7f3c9';
    const set = await cli(['image', 'update', 'desk', '--registry-username', 'puller', '--registry-server', 'reg.example:5000', '--registry-password-stdin', '--json'], { stdin: `${secret}\n` });
    assert.equal(set.code, 0, set.stderr);
    assert.equal(JSON.parse(set.stdout).has_registry_auth, true);
    assert.ok(!set.stdout.includes(secret));
    const key = await stat(join(dir, 'data', 'secret.key'));
    assert.equal(key.mode & 0o777, 0o600, 'secret.key must be private to the server user');
    assert.equal(key.size, 32);
    const db = await readFile(join(dir, 'data', 'tether.db'));
    assert.ok(!db.includes(Buffer.from(secret)), 'the password is in the database file in clear');
    const shown = await cli(['image', 'show', 'desk']);
    assert.match(shown.stdout, /registry_auth:\s+stored \(encrypted\)/);
    assert.ok(!shown.stdout.includes(secret) && !shown.stdout.includes('puller:'));
    const [noPw, contradict] = await Promise.all([
      cli(['image', 'update', 'desk', '--registry-username', 'puller']),
      cli(['image', 'update', 'desk', '--no-registry-auth', '--registry-username', 'puller']),
    ]);
    assert.equal(noPw.code, 2);
    assert.match(noPw.stderr, /--registry-password-stdin/);
    assert.equal(contradict.code, 2);
    const cleared = await cli(['image', 'update', 'desk', '--no-registry-auth', '--json']);
    assert.equal(cleared.code, 0, cleared.stderr);
    assert.equal(JSON.parse(cleared.stdout).has_registry_auth, false);
  });

  it('disables, removes and deletes; exit 2 when the server cannot be reached', async () => {
    assert.equal((await cli(['user', 'disable', 'alice'])).code, 0);
    const shown = await cli(['user', 'show', 'alice', '--json']);
    assert.equal(JSON.parse(shown.stdout).disabled, true);
    assert.equal((await cli(['group', 'remove-member', 'devs', 'alice'])).code, 0);
    const again = await cli(['group', 'remove-member', 'devs', 'alice']);
    assert.equal(again.code, 1);
    const [delGroup, delImage, delUser, sysGroup] = await Promise.all([
      cli(['group', 'delete', 'devs']), cli(['image', 'delete', 'desk']), cli(['user', 'delete', 'alice']), cli(['group', 'delete', 'All Users']),
    ]);
    assert.deepEqual([delGroup.code, delImage.code, delUser.code, sysGroup.code], [0, 0, 0, 1]);
    assert.match(sysGroup.stderr, /cannot be deleted \(HTTP 409\)/);
    const unreachable = await cli(['user', 'list'], { url: 'http://127.0.0.1:1' });
    assert.equal(unreachable.code, 2);
    assert.match(unreachable.stderr, /cannot reach the Tether server/);
  });

  it('refuses a deleted user\'s name to a new user unless --reuse-name; rename retires the old name', async () => {
    // "alice" was deleted above: her {username} folders would go to whoever gets the name.
    const refused = await cli(['user', 'create', 'ALICE', '--password-stdin'], { stdin: 'new-alice-password\n' });
    assert.equal(refused.code, 1, refused.stderr);
    assert.match(refused.stderr, /"alice" belonged to a user removed or renamed.*--reuse-name/s);
    assert.match(refused.stderr, /HTTP 409/);
    const reused = await cli(['user', 'create', 'ALICE', '--password-stdin', '--reuse-name'], { stdin: 'new-alice-password\n' });
    assert.equal(reused.code, 0, reused.stderr);
    assert.match(reused.stdout, /created user ALICE/);
    const renamed = await cli(['user', 'rename', 'ALICE', 'alice-two']);
    assert.equal(renamed.code, 0, renamed.stderr);
    assert.match(renamed.stdout, /renamed user ALICE to alice-two/);
    const other = await cli(['user', 'create', 'carol-cli', '--password-stdin'], { stdin: 'carol-password\n' });
    assert.equal(other.code, 0, other.stderr);
    const taken = await cli(['user', 'rename', 'carol-cli', 'alice']);
    assert.equal(taken.code, 1);
    assert.match(taken.stderr, /retired username/);
    assert.equal((await cli(['user', 'rename', 'carol-cli', 'alice', '--reuse-name'])).code, 0);
  });

  it('resets a password directly on the store (admin reset-password)', async () => {
    const reset = await cli(['admin', 'reset-password', '--username', 'admin', '--password-stdin', '--data-dir', join(dir, 'data')], { stdin: 'a-brand-new-password\n', token: null });
    assert.equal(reset.code, 0, reset.stderr);
    const login = await cli(['login', '--username', 'admin', '--password-stdin'], { stdin: 'a-brand-new-password', token: null });
    assert.equal(login.code, 0, login.stderr);
    const old = await cli(['login', '--username', 'admin', '--password-stdin'], { stdin: ADMIN_PASSWORD, token: null });
    assert.equal(old.code, 1);
  });
});
