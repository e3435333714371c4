import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_POLICY, parseProfileMode, profileHomeProblem, profileMount, profileOwner, profilePathProblems } from './index.js';

const tokens = { username: 'alice', user_id: '0b6c3a52-6f1e-4d8e-9a53-2f1c7d9e4a10', image_id: '1c6c3a52-6f1e-4d8e-9a53-2f1c7d9e4a11' };

test('profile modes: any case, as Kasm sends them', () => {
  assert.equal(parseProfileMode('Enabled'), 'enabled');
  assert.equal(parseProfileMode('RESET'), 'reset');
  assert.equal(parseProfileMode('disabled'), 'disabled');
  assert.equal(parseProfileMode('on'), null);
  assert.equal(parseProfileMode(''), null);
});

test('profile path: {username} or {user_id} required, tokens known, policy applied', () => {
  assert.deepEqual(profilePathProblems('/srv/profiles/{username}/{image_id}', DEFAULT_POLICY), []);
  assert.deepEqual(profilePathProblems('/srv/profiles/{user_id}', DEFAULT_POLICY), []);
  assert.match(profilePathProblems('/srv/profiles/{image_id}', DEFAULT_POLICY).join(), /no \{username\} or \{user_id\}/);
  assert.match(profilePathProblems('/srv/profiles/shared', DEFAULT_POLICY).join(), /every user would share one profile/);
  assert.match(profilePathProblems('/srv/profiles/{usrname}', DEFAULT_POLICY).join(), /unknown token \{usrname\}.*did you mean "\{username\}"/);
  assert.match(profilePathProblems('relative/{username}', DEFAULT_POLICY).join(), /not absolute/);
  assert.match(profilePathProblems('/srv/../etc/{username}', DEFAULT_POLICY).join(), /"\.\." segment/);
  assert.match(profilePathProblems('/etc/{username}', DEFAULT_POLICY).join(), /fixed prefix/);
  assert.match(profilePathProblems('/home/{username}', DEFAULT_POLICY).join(), /home folder/);
  assert.match(profilePathProblems('/srv/p/{username}', { extraDenied: [], allowedRoots: ['/mnt'] }).join(), /outside the allowed roots/);
});

test('profile_home: an absolute container path that is not a system view', () => {
  assert.equal(profileHomeProblem('/home/user'), null);
  assert.equal(profileHomeProblem('/home/kasm-user/'), null);
  assert.match(profileHomeProblem('/') ?? '', /cannot be "\/"/);
  assert.match(profileHomeProblem('/etc/skel') ?? '', /refused/);
  assert.match(profileHomeProblem('home') ?? '', /not absolute/);
  assert.match(profileHomeProblem('/home/{username}') ?? '', /no tokens/);
});

test('the profile mount: rw, required, owned by the image user (1000:1000 by default), source profile', () => {
  assert.deepEqual(profileOwner('1234:5678'), { uid: 1234, gid: 5678 });
  assert.deepEqual(profileOwner(null), { uid: 1000, gid: 1000 });
  const m = profileMount({ template: '/srv/p/{username}/{image_id}', home: '/home/user/', uid: 1000, gid: 1000, timeout: 10 }, tokens, 'desk');
  assert.deepEqual(m, {
    host_path: `/srv/p/alice/${tokens.image_id}`, bind: '/home/user', mode: 'rw', uid: 1000, gid: 1000, required: true, timeout: 10, skip_check: false,
    source: { kind: 'profile', name: 'desk', priority: null },
  });
  // a hostile username cannot leave the fixed prefix
  assert.throws(() => profileMount({ template: '/srv/p/{username}', home: '/home/user', uid: 1, gid: 1, timeout: 10 }, { ...tokens, username: '..' }, 'desk'), /username/);
});
