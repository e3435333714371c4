// Who may do what: every route × {no token, expired, revoked, disabled user, user, admin}.
// The rows are checked against the routes the app actually registered (app.tetherRoutes), so
// a new route without a row here fails this test. Each cell prepares its own targets (the
// store directly) so destructive calls can be repeated. Every non-public cell is also sent
// again with a hostile body: authentication and authorization come before validation, so
// the status must not change.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { makeTestApp, type TestApp } from './helpers/app.js';
import { storeKinds } from './helpers/databases.js';
import { defaultGroupSettings } from '../src/store/system-groups.js';

type Cred = 'none' | 'expired' | 'revoked' | 'disabled' | 'user' | 'admin';
const CREDS: Cred[] = ['none', 'expired', 'revoked', 'disabled', 'user', 'admin'];

interface Target { url: string; payload?: object }
interface Row {
  method: string;
  route: string;
  /** builds the concrete request; `callerId` is the user behind the credential (or null) */
  prepare(t: TestApp, callerId: string | null): Promise<Target>;
  user: number;
  admin: number;
  /** public routes answer the same for every credential */
  public?: boolean;
}

let n = 0;
const uniq = (p: string) => `${p}-${++n}`;
async function newGroup(t: TestApp): Promise<string> {
  const at = new Date().toISOString();
  const group_id = randomUUID();
  await t.store.groups.create({ group_id, name: uniq('grp'), priority: 10_000 + ++n, system: false, settings: defaultGroupSettings(), created_at: at, updated_at: at });
  return group_id;
}
async function newImage(t: TestApp): Promise<string> {
  const at = new Date().toISOString();
  const image_id = randomUUID();
  await t.store.images.create({
    image_id, name: uniq('img'), friendly_name: 'x', docker_image: 'kasmweb/x:1', volume_mappings: {}, persistent_profile_path: null, user: null,
    cores: null, memory: null, enabled: true, groups: [], web_port: null, registry_auth_encrypted: null, created_at: at, updated_at: at,
  });
  return image_id;
}
const newUser = async (t: TestApp) => (await t.makeUser(uniq('victim'))).user.user_id;
async function newApiKey(t: TestApp): Promise<string> {
  const api_key_id = randomUUID();
  await t.store.apiKeys.create({
    api_key_id, name: uniq('key'), key: uniq('k').padEnd(12, 'x').slice(0, 12), digest: randomUUID(), permissions: ['sessions'], read_only: false,
    created_by: null, created_at: new Date().toISOString(), expires_at: null, revoked_at: null, last_used_at: null,
  });
  return api_key_id;
}

const ROWS: Row[] = [
  { method: 'GET', route: '/api/v1/openapi.json', public: true, user: 200, admin: 200, prepare: async () => ({ url: '/api/v1/openapi.json' }) },
  {
    method: 'POST', route: '/api/v1/login', public: true, user: 200, admin: 200,
    prepare: async (t) => { const name = uniq('signin'); await t.makeUser(name, { password: 'signin-password' }); return { url: '/api/v1/login', payload: { username: name, password: 'signin-password' } }; },
  },
  { method: 'POST', route: '/api/v1/logout', user: 204, admin: 204, prepare: async () => ({ url: '/api/v1/logout' }) },
  { method: 'GET', route: '/api/v1/me', user: 200, admin: 200, prepare: async () => ({ url: '/api/v1/me' }) },
  { method: 'GET', route: '/api/v1/users', user: 403, admin: 200, prepare: async () => ({ url: '/api/v1/users' }) },
  { method: 'POST', route: '/api/v1/users', user: 403, admin: 201, prepare: async () => ({ url: '/api/v1/users', payload: { username: uniq('new'), password: 'new-user-pw' } }) },
  { method: 'GET', route: '/api/v1/users/:id', user: 403, admin: 200, prepare: async (t) => ({ url: `/api/v1/users/${await newUser(t)}` }) },
  { method: 'PATCH', route: '/api/v1/users/:id', user: 403, admin: 200, prepare: async (t) => ({ url: `/api/v1/users/${await newUser(t)}`, payload: { disabled: true } }) },
  { method: 'DELETE', route: '/api/v1/users/:id', user: 403, admin: 204, prepare: async (t) => ({ url: `/api/v1/users/${await newUser(t)}` }) },
  { method: 'GET', route: '/api/v1/groups', user: 403, admin: 200, prepare: async () => ({ url: '/api/v1/groups' }) },
  { method: 'POST', route: '/api/v1/groups', user: 403, admin: 201, prepare: async () => ({ url: '/api/v1/groups', payload: { name: uniq('g'), priority: 20_000 + ++n } }) },
  { method: 'GET', route: '/api/v1/groups/:id', user: 403, admin: 200, prepare: async (t) => ({ url: `/api/v1/groups/${await newGroup(t)}` }) },
  { method: 'PATCH', route: '/api/v1/groups/:id', user: 403, admin: 200, prepare: async (t) => ({ url: `/api/v1/groups/${await newGroup(t)}`, payload: { settings: { allow_persistent_profile: true } } }) },
  { method: 'DELETE', route: '/api/v1/groups/:id', user: 403, admin: 204, prepare: async (t) => ({ url: `/api/v1/groups/${await newGroup(t)}` }) },
  { method: 'GET', route: '/api/v1/groups/:id/members', user: 403, admin: 200, prepare: async (t) => ({ url: `/api/v1/groups/${await newGroup(t)}/members` }) },
  { method: 'POST', route: '/api/v1/groups/:id/members', user: 403, admin: 204, prepare: async (t) => ({ url: `/api/v1/groups/${await newGroup(t)}/members`, payload: { user: await newUser(t) } }) },
  {
    method: 'DELETE', route: '/api/v1/groups/:id/members/:user', user: 403, admin: 204,
    prepare: async (t) => { const g = await newGroup(t); const u = await newUser(t); await t.store.groups.addMember(g, u); return { url: `/api/v1/groups/${g}/members/${u}` }; },
  },
  { method: 'GET', route: '/api/v1/images', user: 200, admin: 200, prepare: async () => ({ url: '/api/v1/images' }) },
  { method: 'POST', route: '/api/v1/images', user: 403, admin: 201, prepare: async () => ({ url: '/api/v1/images', payload: { name: uniq('im'), docker_image: 'kasmweb/y:1' } }) },
  { method: 'GET', route: '/api/v1/images/:id', user: 200, admin: 200, prepare: async (t) => ({ url: `/api/v1/images/${await newImage(t)}` }) },
  { method: 'PATCH', route: '/api/v1/images/:id', user: 403, admin: 200, prepare: async (t) => ({ url: `/api/v1/images/${await newImage(t)}`, payload: { enabled: false } }) },
  { method: 'DELETE', route: '/api/v1/images/:id', user: 403, admin: 204, prepare: async (t) => ({ url: `/api/v1/images/${await newImage(t)}` }) },
  { method: 'GET', route: '/api/v1/tokens', user: 200, admin: 200, prepare: async () => ({ url: '/api/v1/tokens' }) },
  { method: 'POST', route: '/api/v1/tokens', user: 201, admin: 201, prepare: async () => ({ url: '/api/v1/tokens', payload: { name: 'matrix' } }) },
  {
    method: 'DELETE', route: '/api/v1/tokens/:id', user: 204, admin: 204,
    prepare: async (t, callerId) => {
      // the caller's own token (another user's token is the hostile-input suite's business)
      await t.makeToken(callerId ?? t.admin.user_id);
      const own = (await t.store.tokens.list({ user_id: callerId ?? t.admin.user_id })).find((x) => x.revoked_at === null)!;
      return { url: `/api/v1/tokens/${own.token_id}` };
    },
  },
  { method: 'GET', route: '/api/v1/audit', user: 403, admin: 200, prepare: async () => ({ url: '/api/v1/audit?limit=5' }) },
  { method: 'GET', route: '/api/v1/effective-mounts', user: 200, admin: 200, prepare: async (t) => ({ url: `/api/v1/effective-mounts?image=${await newImage(t)}` }) },
  { method: 'GET', route: '/api/v1/api-keys', user: 403, admin: 200, prepare: async () => ({ url: '/api/v1/api-keys' }) },
  { method: 'POST', route: '/api/v1/api-keys', user: 403, admin: 201, prepare: async () => ({ url: '/api/v1/api-keys', payload: { name: uniq('key'), permissions: ['sessions'] } }) },
  { method: 'DELETE', route: '/api/v1/api-keys/:id', user: 403, admin: 204, prepare: async (t) => ({ url: `/api/v1/api-keys/${await newApiKey(t)}` }) },
  // a one-time sign-in link (kasm_url): the link is the credential; a made-up one is refused for everyone
  { method: 'GET', route: '/api/public/connect/:secret', public: true, user: 401, admin: 401, prepare: async () => ({ url: `/api/public/connect/${'A'.repeat(43)}` }) },
];

/** A body no route accepts: wrong types, unknown fields. */
const HOSTILE = { username: 42, password: ['x'], name: { $ne: null }, priority: 'DROP TABLE users', evil: true };

for (const kind of storeKinds) {
  describe(`security matrix (${kind})`, () => {
    let t: TestApp;
    let userId: string;
    let disabledAdminId: string;
    before(async () => {
      t = await makeTestApp(kind);
      userId = (await t.makeUser('mallory')).user.user_id;
      disabledAdminId = (await t.makeUser('ex-admin', { admin: true, disabled: true })).user.user_id;
    });
    after(async () => { await t?.cleanup(); });

    /** A fresh credential per cell: logout and token revocation consume them. */
    async function credential(cred: Cred): Promise<{ token: string | null; callerId: string | null }> {
      switch (cred) {
        case 'none': return { token: null, callerId: null };
        case 'expired': return { token: await t.makeToken(t.admin.user_id, { expiresAt: new Date(Date.now() - 1000).toISOString() }), callerId: t.admin.user_id };
        case 'revoked': return { token: await t.makeToken(t.admin.user_id, { revokedAt: new Date().toISOString() }), callerId: t.admin.user_id };
        case 'disabled': return { token: await t.makeToken(disabledAdminId), callerId: disabledAdminId };
        case 'user': return { token: await t.makeToken(userId), callerId: userId };
        case 'admin': return { token: await t.makeToken(t.admin.user_id), callerId: t.admin.user_id };
      }
    }

    it('has exactly one row per registered route', () => {
      // Routes taken with an API key (the Kasm-compatible API) have their own matrix, with
      // key credentials instead of user ones: test/kasm-api-security.test.ts.
      const registered = t.app.tetherRoutes.filter((r) => r.access !== 'apikey').map((r) => `${r.method} ${r.url}`).sort();
      const rows = ROWS.map((r) => `${r.method} ${r.route}`).sort();
      assert.deepEqual(rows, registered, 'add a row to ROWS for every new route (and remove rows of removed routes)');
      for (const r of ROWS) {
        const reg = t.app.tetherRoutes.find((x) => x.method === r.method && x.url === r.route)!;
        assert.equal(reg.access === 'public', r.public === true, `${r.method} ${r.route}: access ${reg.access}`);
        if (reg.access === 'admin') assert.equal(r.user, 403, `${r.method} ${r.route} is admin-only`);
      }
    });

    for (const row of ROWS) {
      it(`${row.method} ${row.route}`, async () => {
        const got: Record<string, number> = {};
        const want: Record<string, number> = {};
        for (const cred of CREDS) {
          const expected = row.public ? row[cred === 'admin' ? 'admin' : 'user'] : cred === 'user' ? row.user : cred === 'admin' ? row.admin : 401;
          const { token, callerId } = await credential(cred);
          const target = await row.prepare(t, callerId);
          const res = await t.call(token, { method: row.method as 'GET', url: target.url, ...(target.payload ? { payload: target.payload } : {}) });
          got[cred] = res.statusCode;
          want[cred] = expected;
          if (!row.public && cred !== 'admin' && expected >= 400 && (row.method === 'POST' || row.method === 'PATCH')) {
            const again = await credential(cred);
            const hostile = await t.call(again.token, { method: row.method as 'POST', url: target.url, payload: HOSTILE });
            got[`${cred}+hostile body`] = hostile.statusCode;
            want[`${cred}+hostile body`] = expected;
            const big = await t.call(again.token, { method: row.method as 'POST', url: target.url, payload: { name: 'x'.repeat(400_000) } });
            got[`${cred}+oversized body`] = big.statusCode;
            want[`${cred}+oversized body`] = expected;
          }
        }
        assert.deepEqual(got, want);
      });
    }
  });
}
