// Who may call the Kasm-compatible API (/api/public): every endpoint the app registered with
// access 'apikey' × {no credentials, a forged key, a wrong secret, a revoked key, an expired
// key, a user's and an administrator's Tether token, a key without the permission, a
// read-only key, a key with the permission}, both ways of presenting a key. These routes are
// exempt from test/api-security-matrix.test.ts (user credentials) and covered here. Also: an
// API key reaches nothing under /api/v1; transport errors name what is wrong; each key call
// is audited under the key's name. No engine: endpoints that need one answer 503 once past
// authentication, which is all these cells need.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { makeTestApp, type TestApp } from './helpers/app.js';
import { storeKinds } from './helpers/databases.js';
import { kasmInject, missingFields, kasmFixtures, type KasmKey } from './helpers/kasm-client.js';
import { toKasmId } from '../src/api/kasm/ids.js';
import { generateApiKey } from '../src/auth/api-keys.js';
import { runTether } from './helpers/cli.js';
import type { ApiKeyPermission } from '../src/store/types.js';

/** Each endpoint's permission, whether it writes, and a body that passes validation. */
const ENDPOINTS: Record<string, { permission: ApiKeyPermission; write: boolean; body: (t: Ctx) => object }> = {
  request_kasm: { permission: 'sessions', write: true, body: (c) => ({ user_id: c.userKasmId, image_id: c.imageKasmId }) },
  get_kasm_status: { permission: 'sessions', write: false, body: () => ({ kasm_id: '0'.repeat(32) }) },
  destroy_kasm: { permission: 'sessions', write: true, body: () => ({ kasm_id: '0'.repeat(32) }) },
  keepalive: { permission: 'sessions', write: true, body: () => ({ kasm_id: '0'.repeat(32) }) },
  get_kasms: { permission: 'sessions', write: false, body: () => ({}) },
  get_images: { permission: 'images', write: false, body: () => ({}) },
  get_user: { permission: 'users', write: false, body: (c) => ({ target_user: { user_id: c.userKasmId } }) },
  get_users: { permission: 'users', write: false, body: () => ({}) },
  create_user: { permission: 'users', write: true, body: () => ({ target_user: { username: `made-${Math.random().toString(36).slice(2, 10)}` } }) },
  update_user: { permission: 'users', write: true, body: (c) => ({ target_user: { user_id: c.userKasmId } }) },
  delete_user: { permission: 'users', write: true, body: () => ({ target_user: { user_id: '0'.repeat(32) } }) },
  logout_user: { permission: 'users', write: true, body: (c) => ({ target_user: { user_id: c.userKasmId } }) },
  get_attributes: { permission: 'users', write: false, body: (c) => ({ target_user: { user_id: c.userKasmId } }) },
  update_user_attributes: { permission: 'users', write: true, body: (c) => ({ target_user_attributes: { user_id: c.userKasmId } }) },
  add_user_group: { permission: 'groups', write: true, body: (c) => ({ target_user: { user_id: c.userKasmId }, target_group: { group_id: '0'.repeat(32) } }) },
  remove_user_group: { permission: 'groups', write: true, body: (c) => ({ target_user: { user_id: c.userKasmId }, target_group: { group_id: '0'.repeat(32) } }) },
};

interface Ctx { userKasmId: string; imageKasmId: string }

for (const kind of storeKinds) {
  describe(`Kasm API: keys and refusals (${kind})`, () => {
    let t: TestApp;
    let ctx: Ctx;
    let userToken: string;
    const keys: Record<string, KasmKey & { api_key_id: string }> = {};

    async function createKey(name: string, permissions: ApiKeyPermission[], extra: object = {}) {
      const res = await t.call(t.adminToken, { method: 'POST', url: '/api/v1/api-keys', payload: { name, permissions, ...extra } });
      assert.equal(res.statusCode, 201, res.body);
      const k = res.json() as KasmKey & { api_key_id: string };
      return { api_key: k.api_key, api_key_secret: k.api_key_secret, api_key_id: k.api_key_id };
    }

    before(async () => {
      t = await makeTestApp(kind);
      const u = await t.makeUser('kasm-target');
      userToken = u.token;
      const img = await t.call(t.adminToken, { method: 'POST', url: '/api/v1/images', payload: { name: 'kasm-img', docker_image: 'kasmweb/x:1' } });
      ctx = { userKasmId: toKasmId(u.user.user_id), imageKasmId: toKasmId(img.json().image_id) };
      keys.full = await createKey('full', ['sessions', 'users', 'groups', 'images']);
      keys.readOnly = await createKey('reader', ['sessions', 'users', 'groups', 'images'], { read_only: true });
      keys.revoked = await createKey('revoked', ['sessions', 'users', 'groups', 'images']);
      assert.equal((await t.call(t.adminToken, { method: 'DELETE', url: `/api/v1/api-keys/${keys.revoked.api_key_id}` })).statusCode, 204);
      for (const p of ['sessions', 'users', 'groups', 'images'] as const) keys[`only-${p}`] = await createKey(`only-${p}`, [p]);
    });
    after(async () => { await t?.cleanup(); });

    it('registers exactly the endpoints this matrix covers, each with access apikey', () => {
      const kasm = t.app.tetherRoutes.filter((r) => r.url.startsWith('/api/public/') && r.url !== '/api/public/connect/:secret');
      assert.deepEqual(kasm.map((r) => r.url.slice('/api/public/'.length)).sort(), Object.keys(ENDPOINTS).sort());
      for (const r of kasm) assert.deepEqual([r.method, r.access], ['POST', 'apikey'], r.url);
      assert.deepEqual(t.app.tetherRoutes.filter((r) => r.access === 'apikey').length, kasm.length);
    });

    for (const [endpoint, spec] of Object.entries(ENDPOINTS)) {
      it(`${endpoint}: ${spec.permission}${spec.write ? ' (write)' : ''}`, async () => {
        const got: Record<string, number> = {};
        const want: Record<string, number> = {};
        const cell = async (label: string, expected: number | 'passes', call: () => Promise<{ status: number; json: { error_message?: string } }>) => {
          const res = await call();
          assert.equal(typeof res.json?.error_message === 'string' || (res.status >= 200 && res.status < 300), true, `${label}: ${JSON.stringify(res.json)}`);
          got[label] = expected === 'passes' ? (res.status === 401 || res.status === 403 ? res.status : 0) : res.status;
          want[label] = expected === 'passes' ? 0 : expected;
        };
        const body = spec.body(ctx);
        const forged = { api_key: 'AAAAAAAAAAAA', api_key_secret: 'B'.repeat(32) };
        const wrongSecret = { api_key: keys.full!.api_key, api_key_secret: 'C'.repeat(32) };
        await cell('none', 401, () => kasmInject(t.app, null)(endpoint, body));
        await cell('forged', 401, () => kasmInject(t.app, forged)(endpoint, body));
        await cell('forged (basic)', 401, () => kasmInject(t.app, forged, 'basic')(endpoint, body));
        await cell('wrong secret', 401, () => kasmInject(t.app, wrongSecret)(endpoint, body));
        await cell('wrong secret (basic)', 401, () => kasmInject(t.app, wrongSecret, 'basic')(endpoint, body));
        await cell('revoked', 401, () => kasmInject(t.app, keys.revoked!)(endpoint, body));
        await cell('admin token', 401, async () => {
          const res = await t.app.inject({ method: 'POST', url: `/api/public/${endpoint}`, headers: { authorization: `Bearer ${t.adminToken}` }, payload: body });
          return { status: res.statusCode, json: res.json() };
        });
        await cell('user token', 401, async () => {
          const res = await t.app.inject({ method: 'POST', url: `/api/public/${endpoint}`, headers: { authorization: `Bearer ${userToken}` }, payload: body });
          return { status: res.statusCode, json: res.json() };
        });
        for (const p of ['sessions', 'users', 'groups', 'images'] as const) {
          if (p === spec.permission) continue;
          await cell(`only ${p}`, 403, () => kasmInject(t.app, keys[`only-${p}`]!)(endpoint, body));
          // authorization before validation: a hostile body changes nothing
          await cell(`only ${p} + hostile body`, 403, () => kasmInject(t.app, keys[`only-${p}`]!)(endpoint, { target_user: 42, kasm_id: ['x'], user_id: { $ne: null } }));
        }
        await cell('read-only', spec.write ? 403 : 'passes', () => kasmInject(t.app, keys.readOnly!)(endpoint, spec.body(ctx)));
        await cell(`only ${spec.permission}`, 'passes', () => kasmInject(t.app, keys[`only-${spec.permission}`]!)(endpoint, spec.body(ctx)));
        await cell('full (basic)', 'passes', () => kasmInject(t.app, keys.full!, 'basic')(endpoint, spec.body(ctx)));
        assert.deepEqual(got, want);
      });
    }

    it('refuses an expired key', async () => {
      // made in the store, already expired (the route takes expires_in >= 60 s; no test waits)
      const { key, secret, digest } = generateApiKey();
      await t.store.apiKeys.create({
        api_key_id: randomUUID(), name: 'expired', key, digest, permissions: ['users'], read_only: false, created_by: null,
        created_at: new Date(Date.now() - 7_200_000).toISOString(), expires_at: new Date(Date.now() - 1000).toISOString(), revoked_at: null, last_used_at: null,
      });
      const res = await kasmInject(t.app, { api_key: key, api_key_secret: secret })('get_users');
      assert.equal(res.status, 401);
      assert.match(res.json.error_message, /invalid API key or secret/);
    });

    it('lets no API key reach /api/v1, whichever way it is presented', async () => {
      const k = keys.full!;
      const basic = `Basic ${Buffer.from(`${k.api_key}:${k.api_key_secret}`).toString('base64')}`;
      for (const [method, url] of [['GET', '/api/v1/users'], ['GET', '/api/v1/api-keys'], ['POST', '/api/v1/api-keys'], ['GET', '/api/v1/me']] as const) {
        for (const authorization of [basic, `Bearer ${k.api_key_secret}`, `Bearer ${k.api_key}`]) {
          const res = await t.app.inject({ method, url, headers: { authorization }, ...(method === 'POST' ? { payload: { name: 'x', permissions: ['users'] } } : {}) });
          assert.equal(res.statusCode, 401, `${method} ${url} with ${authorization.split(' ')[0]}`);
        }
        const inBody = await t.app.inject({ method: 'POST', url: '/api/v1/api-keys', payload: { ...k, name: 'x', permissions: ['users'] } });
        assert.equal(inBody.statusCode, 401);
      }
    });

    it('shows a key\'s secret once, never lists it, and revokes at once on delete', async () => {
      const k = await createKey('short-lived', ['users']);
      assert.match(k.api_key, /^[A-Za-z0-9]{12}$/);
      assert.match(k.api_key_secret, /^[A-Za-z0-9]{32}$/);
      const listed = await t.call(t.adminToken, { method: 'GET', url: '/api/v1/api-keys' });
      assert.equal(listed.body.includes(k.api_key_secret), false);
      assert.equal(listed.body.includes('digest'), false);
      assert.equal((await kasmInject(t.app, k)('get_users')).status, 200);
      assert.equal((await t.call(t.adminToken, { method: 'DELETE', url: '/api/v1/api-keys/short-lived' })).statusCode, 204);
      assert.equal((await kasmInject(t.app, k)('get_users')).status, 401);
      const dup = await t.call(t.adminToken, { method: 'POST', url: '/api/v1/api-keys', payload: { name: 'SHORT-LIVED', permissions: ['users'] } });
      assert.equal(dup.statusCode, 409);
      const bad = await t.call(t.adminToken, { method: 'POST', url: '/api/v1/api-keys', payload: { name: 'x', permissions: ['users', 'everything'] } });
      assert.equal(bad.statusCode, 400);
      assert.match(bad.body, /permissions\[1\]/);
    });

    it('tether apikey create|list|delete: a key that works at once, its secret printed once', async () => {
      const url = await t.app.listen({ host: '127.0.0.1', port: 0 });
      const env = { TETHER_URL: url, TETHER_TOKEN: t.adminToken };
      const made = await runTether(['apikey', 'create', 'from-cli', '--permission', 'users', '--read-only'], { env });
      assert.equal(made.code, 0, made.stderr);
      const pair = Object.fromEntries(made.stdout.trim().split('\n').map((l) => l.split('=') as [string, string]));
      assert.match(pair.api_key ?? '', /^[A-Za-z0-9]{12}$/);
      assert.match(made.stderr, /shown only once/);
      const key = { api_key: pair.api_key as string, api_key_secret: pair.api_key_secret as string };
      assert.equal((await kasmInject(t.app, key)('get_users')).status, 200);
      assert.equal((await kasmInject(t.app, key)('create_user', { target_user: { username: 'nope' } })).status, 403, 'read-only');
      const listed = await runTether(['apikey', 'list', '--json'], { env });
      const row = (JSON.parse(listed.stdout) as Array<{ name: string; permissions: string[]; read_only: boolean }>).find((k) => k.name === 'from-cli');
      assert.deepEqual([row?.permissions, row?.read_only], [['users'], true]);
      assert.equal(listed.stdout.includes(key.api_key_secret), false);
      const bad = await runTether(['apikey', 'create', 'x', '--permission', 'everything'], { env });
      assert.notEqual(bad.code, 0);
      assert.match(bad.stderr, /permissions/);
      assert.equal((await runTether(['apikey', 'delete', 'from-cli'], { env })).code, 0);
      assert.equal((await kasmInject(t.app, key)('get_users')).status, 401);
    });

    it('answers transport errors with error_message naming what is wrong', async () => {
      const fixture = kasmFixtures().get('error')!;
      const k = keys.full!;
      const unknown = await kasmInject(t.app, k)('get_everything');
      assert.equal(unknown.status, 404);
      assert.match(unknown.json.error_message, /unknown endpoint "get_everything"/);
      assert.deepEqual(missingFields(fixture.response, unknown.json), []);
      const get = await t.app.inject({ method: 'GET', url: '/api/public/get_users' });
      assert.equal(get.statusCode, 404);
      assert.match(get.json().error_message, /get_users takes POST/);
      const badJson = await t.app.inject({ method: 'POST', url: '/api/public/get_users', headers: { 'content-type': 'application/json' }, payload: '{"api_key": "x",' });
      assert.equal(badJson.statusCode, 400);
      assert.match(badJson.json().error_message, /not valid JSON/);
      const missing = await kasmInject(t.app, k)('create_user', { target_user: { first_name: 'Bob' } });
      assert.equal(missing.status, 400);
      assert.match(missing.json.error_message, /target_user\.username: is required/);
      const noTarget = await kasmInject(t.app, k)('get_user', {});
      assert.equal(noTarget.status, 400);
      assert.match(noTarget.json.error_message, /target_user: is required/);
      const wrongType = await kasmInject(t.app, k)('delete_user', { target_user: { user_id: ctx.userKasmId }, force: 'yes' });
      assert.equal(wrongType.status, 400);
      assert.match(wrongType.json.error_message, /force: expected boolean/);
      const noKey = await kasmInject(t.app, null)('get_users', { api_key: k.api_key });
      assert.equal(noKey.status, 401);
      assert.match(noKey.json.error_message, /api_key_secret is required/);
      const mode = await kasmInject(t.app, k)('request_kasm', { user_id: ctx.userKasmId, image_id: ctx.imageKasmId, persistent_profile_mode: 'Sometimes' });
      assert.equal(mode.status, 400);
      assert.match(mode.json.error_message, /persistent_profile_mode: expected one of Enabled, Disabled, Reset/);
      // any case is accepted: past validation this server has no engine (503)
      const anyCase = await kasmInject(t.app, k)('request_kasm', { user_id: ctx.userKasmId, image_id: ctx.imageKasmId, persistent_profile_mode: 'rEsEt' });
      assert.equal(anyCase.status, 503, JSON.stringify(anyCase.json));
      const env = await kasmInject(t.app, k)('request_kasm', { user_id: ctx.userKasmId, image_id: ctx.imageKasmId, environment: { 'BAD NAME': 'x' } });
      assert.equal(env.status, 400);
      assert.match(env.json.error_message, /environment/);
      const nobody = await kasmInject(t.app, k)('get_user', { target_user: { user_id: 'f'.repeat(32) } });
      assert.equal(nobody.status, 404);
      assert.match(nobody.json.error_message, /target_user\.user_id: no user/);
      const attrs = await kasmInject(t.app, k)('update_user_attributes', { target_user_attributes: { user_id: ctx.userKasmId, show_tips: true } });
      assert.equal(attrs.status, 400);
      assert.match(attrs.json.error_message, /target_user_attributes\.show_tips: Tether keeps no such user attribute/);
    });

    it('audits every key call under the key\'s name, refused ones included', async () => {
      await kasmInject(t.app, keys['only-images']!)('get_images');
      await kasmInject(t.app, keys['only-images']!)('get_users');
      const entries = (await t.store.audit.list({ limit: 50 })).filter((e) => e.actor_name === 'apikey:only-images');
      const byAction = Object.fromEntries(entries.map((e) => [e.action, (e.after as { status: number }).status]));
      assert.equal(byAction['kasm.get_images'], 200);
      assert.equal(byAction['kasm.get_users'], 403);
      assert.equal(entries.every((e) => e.actor_id === keys['only-images']!.api_key_id), true);
    });
  });
}
