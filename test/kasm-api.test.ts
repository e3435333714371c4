// A Kasm client's whole life cycle against a real server and engine, through the
// Kasm-compatible API only, once with the key in the JSON body and once as HTTP Basic:
// create a user, add them to a group that maps a share, request a session (with environment
// and persistent_profile_mode), poll get_kasm_status until running, keepalive, list, open
// kasm_url in a "browser", destroy, delete the user. Answers are checked against the
// fixtures written from Kasm's documentation (test/fixtures/kasm).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mapping, eventually, sessionsLabPlugin, type SessionLab } from './helpers/sessions.js';
import { makeTestApp, type TestApp } from './helpers/app.js';
import { storeKinds } from './helpers/databases.js';
import { kasmClient, kasmFixtures, missingFields, type KasmAuth, type KasmKey } from './helpers/kasm-client.js';
import { fromKasmId, toKasmId } from '../src/api/kasm/ids.js';

const fixtures = kasmFixtures();
/** The documented answer fields of `endpoint` that Tether's answer lacks (besides those the fixture says Tether omits). */
const lacks = (endpoint: string, answer: unknown, which: 'response' | 'launching_response' = 'response') => {
  const f = fixtures.get(endpoint);
  assert.ok(f, `no fixture for ${endpoint}`);
  return missingFields(f[which], answer, f.tether_omits);
};
/** A fixture's request with Tether's values put in: the request uses Kasm's documented field names. */
function documented(endpoint: string, values: Record<string, unknown>): object {
  const req = { ...(fixtures.get(endpoint)?.request ?? {}) } as Record<string, unknown>;
  delete req.api_key;
  delete req.api_key_secret;
  const fill = (o: Record<string, unknown>): Record<string, unknown> => Object.fromEntries(Object.entries(o).filter(([k]) => k in values || typeof o[k] === 'object').map(([k, v]) =>
    [k, k in values ? values[k] : v !== null && typeof v === 'object' && !Array.isArray(v) ? fill(v as Record<string, unknown>) : v]));
  return fill(req);
}

for (const kind of storeKinds) {
  describe(`Kasm API: a client's life cycle (${kind})`, () => {
    let t: TestApp;
    let lab: SessionLab;
    let url: string;
    let key: KasmKey;
    let share: string;

    before(async () => {
      t = await makeTestApp(kind, {}, [sessionsLabPlugin((l) => { lab = l; })]);
      url = await t.app.listen({ host: '127.0.0.1', port: 0 });
      share = await lab.folder(`/srv/tether-kasm-${lab.runId}`);
      const created = await t.call(t.adminToken, { method: 'POST', url: '/api/v1/api-keys', payload: { name: 'lms', permissions: ['sessions', 'users', 'groups', 'images'] } });
      assert.equal(created.statusCode, 201, created.body);
      key = { api_key: created.json().api_key, api_key_secret: created.json().api_key_secret };
    });
    after(async () => {
      await lab?.cleanup();
      await t?.cleanup();
    });

    for (const auth of ['body', 'basic'] as KasmAuth[]) {
      it(`runs from create_user to delete_user (key in the ${auth === 'body' ? 'JSON body' : 'Basic header'})`, async () => {
        const kasm = kasmClient(url, key, auth);
        const group = await lab.group({ volume_mappings: { [share]: mapping('/share', { uid: 1000, gid: 1000 }) }, session_time_limit: 3600 });
        const image = await lab.image({}, { friendly_name: 'Busybox' });

        const images = await kasm('get_images');
        assert.equal(images.status, 200);
        const listed = images.json.images.find((i: { image_id: string }) => i.image_id === toKasmId(image.image_id));
        assert.ok(listed, 'get_images lists the image by its Kasm id');
        assert.deepEqual(lacks('get_images', { images: [listed] }), []);

        const username = `kasm-${auth}-${lab.runId}`;
        const made = await kasm('create_user', documented('create_user', { username, password: 'a-long-password', disabled: false, locked: false }));
        assert.equal(made.status, 200, JSON.stringify(made.json));
        assert.deepEqual(lacks('create_user', made.json), []);
        const userId: string = made.json.user.user_id;
        assert.match(userId, /^[0-9a-f]{32}$/);
        assert.equal(made.json.user.username, username);

        const joined = await kasm('add_user_group', documented('add_user_group', { user_id: userId, group_id: toKasmId(group.group_id) }));
        assert.deepEqual([joined.status, joined.json], [200, {}]);
        // Tether's dashed ids name the same records
        const again = await kasm('add_user_group', { target_user: { user_id: fromKasmId(userId) }, target_group: { group_id: group.group_id } });
        assert.equal(again.status, 409);
        assert.match(again.json.error_message, /already a member/);

        const requested = await kasm('request_kasm', documented('request_kasm', {
          user_id: userId, image_id: toKasmId(image.image_id), enable_sharing: false, environment: { GREETING: 'hello from kasm' },
          kasm_url: 'https://example.org/start', persistent_profile_mode: 'enabled',
        }));
        assert.equal(requested.status, 200, JSON.stringify(requested.json));
        assert.deepEqual(lacks('request_kasm', requested.json), []);
        const kasmId: string = requested.json.kasm_id;
        assert.match(kasmId, /^[0-9a-f]{32}$/);
        assert.equal(requested.json.user_id, userId);
        assert.equal(requested.json.username, username);
        assert.equal(requested.json.share_id, null);
        assert.match(requested.json.kasm_url, /^\/api\/public\/connect\/[A-Za-z0-9_-]{43}$/);

        // poll as Kasm clients do: operational_* at the top while launching, then `kasm`
        const status = await eventually(async () => {
          const s = await kasm('get_kasm_status', documented('get_kasm_status', { kasm_id: kasmId, user_id: userId, skip_agent_check: false }));
          assert.equal(s.status, 200, JSON.stringify(s.json));
          assert.equal(s.json.error_message, undefined, JSON.stringify(s.json));
          if (!s.json.kasm) {
            assert.deepEqual(lacks('get_kasm_status', s.json, 'launching_response'), [], JSON.stringify(s.json));
            assert.notEqual(s.json.operational_status, 'running');
            return null;
          }
          return s.json;
        }, 60_000, 'get_kasm_status to show the running kasm');
        assert.deepEqual(lacks('get_kasm_status', status), []);
        assert.equal(status.kasm.operational_status, 'running');
        assert.equal(status.kasm.kasm_id, kasmId);
        assert.equal(status.kasm.image.image_id, toKasmId(image.image_id));
        assert.equal(status.kasm.image.friendly_name, 'Busybox');

        // the container: the group's share mapped, the requested environment set
        const sessionId = fromKasmId(kasmId) as string;
        const rec = await lab.store.sessions.get(sessionId);
        const inspect = await lab.docker.getContainer(rec?.container_id as string).inspect();
        assert.ok(inspect.Mounts.some((m) => m.Destination === '/share'), JSON.stringify(inspect.Mounts));
        assert.ok(inspect.Config.Env.includes('GREETING=hello from kasm'), JSON.stringify(inspect.Config.Env));
        assert.ok(inspect.Config.Env.includes('KASM_URL=https://example.org/start'));

        const before = rec?.expires_at as string;
        const kept = await kasm('keepalive', documented('keepalive', { kasm_id: kasmId }));
        assert.deepEqual([kept.status, kept.json], [200, { usage_reached: false }]);
        assert.deepEqual(lacks('keepalive', kept.json), []);
        const extended = (await lab.store.sessions.get(sessionId))?.expires_at as string;
        assert.ok(Date.parse(extended) > Date.parse(before), `${extended} should be after ${before}`);

        const kasms = await kasm('get_kasms');
        assert.equal(kasms.status, 200);
        const mine = kasms.json.kasms.find((k: { kasm_id: string }) => k.kasm_id === kasmId);
        assert.ok(mine);
        assert.deepEqual(lacks('get_kasms', { ...kasms.json, kasms: [mine] }), []);

        const user = await kasm('get_user', documented('get_user', { user_id: userId }));
        assert.equal(user.status, 200);
        assert.deepEqual(lacks('get_user', user.json), []);
        assert.deepEqual(user.json.user.kasms.map((k: { kasm_id: string }) => k.kasm_id), [kasmId]);
        assert.ok(user.json.user.groups.some((g: { group_id: string }) => g.group_id === toKasmId(group.group_id)));
        const users = await kasm('get_users');
        assert.deepEqual(lacks('get_users', { users: [users.json.users.find((u: { user_id: string }) => u.user_id === userId)] }), []);
        const attributes = await kasm('get_attributes', documented('get_attributes', { user_id: userId }));
        assert.deepEqual(lacks('get_attributes', attributes.json), []);

        // kasm_url: a browser that follows it is signed in as the user, on the session's page; once
        const open = await fetch(`${url}${requested.json.kasm_url}`, { redirect: 'manual' });
        assert.equal(open.status, 303);
        assert.equal(open.headers.get('location'), `/sessions/${sessionId}`);
        const cookie = (open.headers.get('set-cookie') ?? '').split(';')[0] as string;
        const me = await fetch(`${url}/api/v1/me`, { headers: { cookie } });
        assert.equal(me.status, 200);
        assert.equal(((await me.json()) as { user: { username: string } }).user.username, username);
        const reused = await fetch(`${url}${requested.json.kasm_url}`, { redirect: 'manual' });
        assert.equal(reused.status, 401);
        assert.equal(reused.headers.get('set-cookie'), null);

        // logout_user ends that login session
        assert.equal((await kasm('logout_user', documented('logout_user', { user_id: userId }))).status, 200);
        assert.equal((await fetch(`${url}/api/v1/me`, { headers: { cookie } })).status, 401);

        // a user with a session is deleted only with force
        const refused = await kasm('delete_user', documented('delete_user', { user_id: userId, force: false }));
        assert.equal(refused.status, 409);
        assert.match(refused.json.error_message, /"force": true/);

        assert.deepEqual(await kasm('destroy_kasm', documented('destroy_kasm', { kasm_id: kasmId, user_id: userId })), { status: 200, json: {} });
        const ended = await eventually(async () => {
          const s = await kasm('get_kasm_status', { kasm_id: kasmId, user_id: userId });
          // 200 with error_message: how Kasm clients' poll loops learn the kasm is gone
          return s.status === 200 && typeof s.json.error_message === 'string' ? s.json : null;
        }, 60_000, 'get_kasm_status to say the kasm ended');
        assert.match(ended.error_message, /has ended/);
        assert.equal((await lab.containersOf(sessionId)).length, 0);

        const deleted = await kasm('delete_user', documented('delete_user', { user_id: userId, force: false }));
        assert.deepEqual([deleted.status, deleted.json], [200, {}]);
        const gone = await kasm('get_user', { target_user: { user_id: userId } });
        assert.equal(gone.status, 404);
        assert.deepEqual(lacks('error', gone.json), []);

        // every call is in the audit log under the key's name
        const audited = new Set((await t.store.audit.list({ limit: 500 })).filter((e) => e.actor_name === 'apikey:lms').map((e) => e.action));
        for (const a of ['kasm.create_user', 'kasm.add_user_group', 'kasm.request_kasm', 'kasm.get_kasm_status', 'kasm.keepalive', 'kasm.get_kasms', 'kasm.destroy_kasm', 'kasm.delete_user', 'user.create', 'group.member.add', 'session.launch', 'session.keepalive', 'session.destroy', 'user.delete']) {
          assert.ok(audited.has(a), `audit: ${a}`);
        }
      });
    }

    it('request_kasm honours persistent_profile_mode: Enabled mounts the stored profile, Disabled a throw-away home', async () => {
      const kasm = kasmClient(url, key);
      const profiles = await lab.folder(`/srv/tether-kasm-profiles-${lab.runId}`);
      const allowed = await lab.group({ allow_persistent_profile: true });
      const image = await lab.image({}, { persistent_profile_path: `${profiles}/{username}` });
      const made = await kasm('create_user', { target_user: { username: `profiled-${lab.runId}` } });
      assert.equal(made.status, 200, JSON.stringify(made.json));
      const userId: string = made.json.user.user_id;
      assert.equal((await kasm('add_user_group', { target_user: { user_id: userId }, target_group: { group_id: toKasmId(allowed.group_id) } })).status, 200);
      for (const [mode, mounted] of [['Enabled', true], ['Disabled', false]] as const) {
        const requested = await kasm('request_kasm', { user_id: userId, image_id: toKasmId(image.image_id), persistent_profile_mode: mode });
        assert.equal(requested.status, 200, JSON.stringify(requested.json));
        const sessionId = fromKasmId(requested.json.kasm_id) as string;
        assert.equal((await lab.manager.waitForLaunch(sessionId)).state, 'running');
        const status = await kasm('get_kasm_status', { kasm_id: requested.json.kasm_id, user_id: userId });
        assert.equal(status.json.kasm.is_persistent_profile, mounted, `${mode}: ${JSON.stringify(status.json.kasm)}`);
        const rec = await lab.store.sessions.get(sessionId);
        const inspect = await lab.docker.getContainer(rec?.container_id as string).inspect();
        assert.equal(inspect.Mounts.some((m) => m.Destination === '/home/user'), mounted, `${mode}: ${JSON.stringify(inspect.Mounts)}`);
        assert.equal((await kasm('destroy_kasm', { kasm_id: requested.json.kasm_id, user_id: userId })).status, 200);
        await eventually(async () => ((await lab.store.sessions.get(sessionId))?.state === 'destroyed' ? true : null), 30_000, 'the session destroyed');
      }
      // the stored profile was created by the Enabled launch, and kept by Disabled
      assert.ok(existsSync(`${profiles}/profiled-${lab.runId}`));
    });

    it('deletes a user with force: destroys their running session first, keeps the share', async () => {
      const kasm = kasmClient(url, key);
      const image = await lab.image({ [share]: mapping('/share', { uid: 1000, gid: 1000 }) });
      const made = await kasm('create_user', { target_user: { username: `forced-${lab.runId}` } });
      const requested = await kasm('request_kasm', { user_id: made.json.user.user_id, image_id: toKasmId(image.image_id) });
      assert.equal(requested.status, 200, JSON.stringify(requested.json));
      const sessionId = fromKasmId(requested.json.kasm_id) as string;
      await lab.manager.waitForLaunch(sessionId);
      const deleted = await kasm('delete_user', { target_user: { user_id: made.json.user.user_id }, force: true });
      assert.deepEqual([deleted.status, deleted.json], [200, {}]);
      assert.equal((await lab.store.sessions.get(sessionId))?.state, 'destroyed');
      assert.equal((await lab.containersOf(sessionId)).length, 0);
      assert.equal(await lab.store.users.get(fromKasmId(made.json.user.user_id) as string), undefined);
    });
  });
}
