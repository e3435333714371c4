// `tether mappings validate|resolve`, run as a real process (built, or through tsx; see helpers/cli.ts):
// exit codes, stdout and stderr.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTether, type TetherRun } from './helpers/cli.js';

const USER_ID = '0b6c3a52-6f1e-4d8e-9a53-2f1c7d9e4a10';
const IMAGE_ID = '5d2f8e1a-3b4c-4d5e-8f60-718293a4b5c6';

const tether = (args: string[], stdin?: string): Promise<TetherRun> => runTether(args, { stdin });

let dir = '';
const file = (name: string) => join(dir, name);

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tether-cli-mappings-'));
  const files: Record<string, string> = {
    'kasm.json': '{ "/var/kasm_user_share": { "bind": "/share", "mode": "rw", "uid": 1000, "gid": 1000, "required": true } }',
    'bad.json': '{"/srv/a": {"bind": "/a", "uid": "1000", "requierd": true}, "/srv/b": {"bind": "/a"}}',
    'denied.json': '{"/var/lib/docker": {"bind": "/docker"}}',
    'desktop.json': '{"/mnt/profiles/{username}/{image_id}": {"bind": "/home/kasm-user/profile"}, "/srv/common": {"bind": "/share", "mode": "ro"}}',
    'devs.json': '{"/srv/teams/devs": {"bind": "/share"}, "/srv/tools": {"bind": "/tools", "uid": 0}}',
    'all-users.json': '{"/srv/tools": {"bind": "/opt/tools", "uid": 1000}, "/srv/all": {"bind": "/tools"}}',
  };
  await Promise.all(Object.entries(files).map(([name, text]) => writeFile(file(name), text)));
});
after(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('tether mappings validate', () => {
  it('valid file: exit 0, the normalized document on stdout', async () => {
    const run = await tether(['mappings', 'validate', file('kasm.json')]);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), { '/var/kasm_user_share': { bind: '/share', mode: 'rw', uid: 1000, gid: 1000, required: true, timeout: 10, skip_check: false } });
    assert.equal(run.stderr, '');
  });
  it('reads stdin when no file or "-" is given', async () => {
    for (const args of [[], ['-']]) {
      const run = await tether(['mappings', 'validate', ...args], '{"/srv/x//": {"bind": "/x/"}}');
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(JSON.parse(run.stdout), { '/srv/x': { bind: '/x', mode: 'rw', required: true, timeout: 10, skip_check: false } });
    }
  });
  it('invalid: exit 1, every error on stderr, one per line, starting with its location', async () => {
    const run = await tether(['mappings', 'validate', file('bad.json')]);
    assert.equal(run.code, 1);
    assert.equal(run.stdout, '');
    const lines = run.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 3, run.stderr);
    assert.match(lines[0]!, /^"\/srv\/a"\.requierd: unknown key "requierd".*did you mean "required"\?$/);
    assert.match(lines[1]!, /^"\/srv\/a"\.uid: got the string "1000"; expected an integer/);
    assert.match(lines[2]!, /^"\/srv\/b"\.bind: "\/a" is already the bind of "\/srv\/a"/);
  });
  it('applies the deny-list always and --allowed-root when given', async () => {
    const denied = await tether(['mappings', 'validate', file('denied.json')]);
    assert.equal(denied.code, 1);
    assert.match(denied.stderr, /^"\/var\/lib\/docker": host path "\/var\/lib\/docker" is refused: it is inside the protected path "\/var\/lib"/);
    const outside = await tether(['mappings', 'validate', '--allowed-root', '/mnt', '--allowed-root', '/srv', file('kasm.json')]);
    assert.equal(outside.code, 1);
    assert.match(outside.stderr, /outside the allowed roots \("\/mnt", "\/srv"\)/);
  });
  it('unreadable file: exit 2 with a clear message', async () => {
    const run = await tether(['mappings', 'validate', file('missing.json')]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /cannot read ".*missing\.json": no such file \(ENOENT\)/);
  });
});

describe('tether mappings resolve', () => {
  const identity = ['--username', 'alice', '--user-id', USER_ID, '--image-id', IMAGE_ID];
  it('prints the effective-mounts view: precedence, shadowed, conflicts', async () => {
    const run = await tether(['mappings', 'resolve', '--image', file('desktop.json'), '--group', `${file('all-users.json')}:1000`, '--group', `${file('devs.json')}:10`, ...identity]);
    assert.equal(run.code, 0, run.stderr);
    const view = JSON.parse(run.stdout);
    assert.deepEqual(view.mounts.map((m: { bind: string; host_path: string; source: { name: string } }) => [m.bind, m.host_path, m.source.name]), [
      ['/home/kasm-user/profile', `/mnt/profiles/alice/${IMAGE_ID}`, 'desktop'],
      ['/opt/tools', '/srv/tools', 'all-users'],
      ['/share', '/srv/common', 'desktop'],
      ['/tools', '/srv/tools', 'devs'],
    ]);
    assert.deepEqual(view.mounts[0], { host_path: `/mnt/profiles/alice/${IMAGE_ID}`, bind: '/home/kasm-user/profile', mode: 'rw', uid: null, gid: null, required: true, timeout: 10, skip_check: false, source: { kind: 'image', name: 'desktop', priority: null } });
    assert.deepEqual(view.shadowed.map((m: { host_path: string; shadowed_by: { name: string } }) => [m.host_path, m.shadowed_by.name]), [['/srv/teams/devs', 'desktop'], ['/srv/all', 'devs']]);
    assert.equal(view.conflicts.length, 1);
    assert.deepEqual(view.conflicts[0].applied, { uid: 0, gid: null, source: { kind: 'group', name: 'devs', priority: 10 } });
  });
  it('a bad input file gives the errors of validate, prefixed with the file name', async () => {
    const run = await tether(['mappings', 'resolve', '--image', file('desktop.json'), '--group', `${file('bad.json')}:5`, ...identity]);
    assert.equal(run.code, 1);
    const lines = run.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 3);
    for (const line of lines) assert.ok(line.startsWith(`${file('bad.json')}: "/srv/`), line);
  });
  it('bad username, ids or --group value: exit 1 with a clear message', async () => {
    const run = await tether(['mappings', 'resolve', '--image', file('desktop.json'), '--username', '../root', '--user-id', 'nope', '--image-id', IMAGE_ID]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /^--username "\.\.\/root": username contains "\/"/m);
    assert.match(run.stderr, /^--user-id "nope": not a UUID/m);
    const group = await tether(['mappings', 'resolve', '--image', file('desktop.json'), '--group', file('devs.json'), ...identity]);
    assert.equal(group.code, 1);
    assert.match(group.stderr, /expected FILE:PRIORITY with an integer priority/);
  });
  it('splits FILE:PRIORITY on the last colon', async () => {
    const odd = file('team:a.json');
    await writeFile(odd, '{"/srv/team-a": {"bind": "/team"}}');
    const run = await tether(['mappings', 'resolve', '--image', file('kasm.json'), '--group', `${odd}:7`, ...identity]);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout).mounts[1].source, { kind: 'group', name: 'team:a', priority: 7 });
  });
});
