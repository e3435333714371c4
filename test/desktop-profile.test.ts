// The desktop workspace with a persistent profile: Firefox's profile and settings come back
// in the next session. The real `tether server` process, the real Docker Engine and the image
// tether/desktop:1 (scripts/lab/build-desktop-image.sh, built once per machine).
// Session 1: Firefox ESR creates its profile in the home (`-CreateProfile`, then one real
// headless run in it: `--screenshot` alone would use a throw-away profile) and a pref is added
// to that profile's prefs.js. Destroy, relaunch: session 2 mounts the same profile as its home,
// Firefox finds the same profile folder, and after running once more there (Firefox rewrites
// prefs.js at exit) the pref is still set. Firefox ESR 153 keeps its profiles in
// ~/.config/mozilla/firefox (older ones in ~/.mozilla/firefox): whichever holds profiles.ini.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dockerClient, ensureDocker, execIn, removeLabelled } from './helpers/docker.js';
import { freePort, login, startTetherServer, type ServerProcess } from './helpers/tether-server.js';
import { eventually } from './helpers/sessions.js';
import { runLabScript } from './helpers/lab.js';
import { launchAndWait, stopServer } from './proxy-lab.js';
import { makeApi, type Api } from './helpers/http-api.js';

const docker = dockerClient();
const DESKTOP_IMAGE = 'tether/desktop:1';

describe('desktop workspace with a persistent profile: Firefox settings come back (tether server, Docker Engine)', { timeout: 600_000 }, () => {
  const run = randomUUID().slice(0, 8);
  const prefix = `/srv/tether-desktop-profiles-${run}`;
  const username = `alice-${run}`;
  const password = 'desktop-profile-password';
  const home = join(prefix, username);
  const pref = `user_pref("browser.startup.homepage", "https://tether.invalid/${run}");`;
  let dataDir: string | undefined;
  let server: ServerProcess | undefined;
  let alice: Api;
  const sessions: string[] = [];

  before(async () => {
    await ensureDocker();
    await runLabScript('build-desktop-image.sh');
    await mkdir(prefix, { recursive: true });
    dataDir = await mkdtemp(join(tmpdir(), 'tether-desktop-profile-'));
    server = await startTetherServer({ port: await freePort(), dataDir, database: join(dataDir, 'tether.db') });
    const admin = makeApi(server.url, await login(server.url));
    assert.equal((await admin('POST', '/groups', { name: `profiles-${run}`, priority: 50, settings: { allow_persistent_profile: true } })).status, 201);
    const created = await admin('POST', '/images', {
      name: `desktop-${run}`, docker_image: DESKTOP_IMAGE, user: '1000:1000', web_port: 6901, cores: 2, memory: 2 * 1024 ** 3,
      persistent_profile_path: `${prefix}/{username}`,
    });
    assert.equal(created.status, 201, created.text);
    assert.equal((await admin('POST', '/users', { username, password, groups: [`profiles-${run}`] })).status, 201);
    alice = makeApi(server.url, await login(server.url, username, password));
  });

  after(async () => {
    await stopServer(server);
    for (const id of sessions) await removeLabelled(docker, `tether.session=${id}`);
    await rm(prefix, { recursive: true, force: true });
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  async function launch(): Promise<{ id: string; container: string }> {
    const id = await launchAndWait(alice, `desktop-${run}`);
    sessions.push(id);
    const s = (await alice('GET', `/sessions/${id}`)).json as { container_id: string; mounts: { mounts: Array<{ bind: string; host_path: string; source: { kind: string } }> } };
    const m = s.mounts.mounts.find((x) => x.bind === '/home/user');
    assert.deepEqual(m && [m.host_path, m.source.kind], [home, 'profile'], 'the profile is the desktop user\'s home');
    return { id, container: s.container_id };
  }

  /** Firefox ESR once, headless, as the desktop user, in its profile "default" (it saves prefs.js at exit). */
  async function firefoxOnce(container: string): Promise<void> {
    await execIn(docker, container, ['rm', '-f', '/tmp/shot.png'], '1000:1000');
    const r = await execIn(docker, container, ['timeout', '90', 'firefox-esr', '--headless', '-P', 'default', '--screenshot', '/tmp/shot.png', 'about:blank'], '1000:1000');
    const shot = await execIn(docker, container, ['test', '-s', '/tmp/shot.png'], '1000:1000');
    assert.equal(shot.code, 0, `firefox ran (exit ${r.code}): ${r.output.slice(-2000)}`);
  }

  /** Where Firefox keeps its profiles on the host (in the profile folder) and its one profile's folder name. */
  async function firefoxProfile(): Promise<{ root: string; name: string }> {
    for (const rel of ['.config/mozilla/firefox', '.mozilla/firefox']) {
      const ini = await readFile(join(home, rel, 'profiles.ini'), 'utf8').catch(() => null);
      if (ini === null) continue;
      const paths = [...ini.matchAll(/^Path=(.+)$/gm)].map((m) => m[1]!);
      assert.equal(paths.length, 1, `one profile in profiles.ini:\n${ini}`);
      return { root: join(home, rel), name: paths[0]! };
    }
    throw new Error(`no Firefox profiles.ini under ${home}`);
  }

  it('Firefox\'s profile folder and a pref set in session 1 are there in session 2, and Firefox keeps the pref', async () => {
    const s1 = await launch();
    const created = await execIn(docker, s1.container, ['firefox-esr', '--headless', '-CreateProfile', 'default'], '1000:1000');
    assert.equal(created.code, 0, created.output);
    await firefoxOnce(s1.container);
    const { root, name: profile } = await firefoxProfile();
    const prefs = join(root, profile, 'prefs.js');
    assert.match(await readFile(prefs, 'utf8'), /user_pref\(/, 'Firefox wrote its prefs.js into the profile');
    // Firefox has exited: a line added now is what it reads at its next start
    const inside = prefs.replace(home, '/home/user');
    const added = await execIn(docker, s1.container, ['sh', '-c', 'printf "%s\\n" "$1" >> "$2"', 'sh', pref, inside], '1000:1000');
    assert.equal(added.code, 0, added.output);
    assert.equal((await alice('DELETE', `/sessions/${s1.id}`)).status, 202);
    await eventually(async () => (await alice('GET', `/sessions/${s1.id}`)).json.state === 'destroyed', 60_000, 'session 1 destroyed');

    const s2 = await launch();
    // seen from inside the new session
    const seen = await execIn(docker, s2.container, ['grep', '-F', `tether.invalid/${run}`, inside], '1000:1000');
    assert.equal(seen.code, 0, `the pref in session 2: ${seen.output}`);
    await firefoxOnce(s2.container);
    assert.deepEqual(await firefoxProfile(), { root, name: profile }, 'Firefox uses the same profile folder');
    const dirs = (await readdir(root, { withFileTypes: true })).filter((d) => d.isDirectory() && !['Crash Reports', 'Pending Pings', 'Profile Groups'].includes(d.name));
    assert.deepEqual(dirs.map((d) => d.name), [profile], 'no second Firefox profile was made');
    assert.ok((await readFile(prefs, 'utf8')).includes(pref), 'the pref survived Firefox rewriting prefs.js');
    assert.equal((await alice('DELETE', `/sessions/${s2.id}`)).status, 202);
  });
});
