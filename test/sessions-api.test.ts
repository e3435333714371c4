// The sessions API over a real port on the real engine: launch/list/show/destroy, who sees
// what, limits and image access, the SSE progress stream, the time limit, GET /metrics.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { apiCall } from './helpers/http-api.js';
import { mapping, readSse, sessionApiLab, eventually, type SessionApiLab } from './helpers/sessions.js';
import type { SessionJson } from '../src/sessions/index.js';

describe('sessions API (real engine, SQLite)', () => {
  let env: SessionApiLab;
  let folder: string;
  before(async () => {
    env = await sessionApiLab();
    folder = await env.lab.folder(`/srv/tether-api-${env.lab.runId}`);
  });
  after(async () => {
    await env?.cleanup();
  });

  const call = (token: string, method: string, path: string, body?: unknown) => apiCall(env.url, token, method, path, body);

  async function waitState(token: string, id: string, states: string[]): Promise<SessionJson> {
    return eventually(async () => {
      const r = await call(token, 'GET', `/api/v1/sessions/${id}`);
      return states.includes(r.json.state) ? (r.json as SessionJson) : null;
    }, 30_000, `session ${id} to reach ${states.join('|')}`);
  }

  it('launch -> 201 requested; SSE delivers the events in order; GET shows the session JSON', async () => {
    const image = await env.lab.image({ [folder]: mapping('/data', { uid: 1000, gid: 1000 }) });
    const { token, user } = await env.api.makeUser(`sse-${env.lab.runId}`);
    const r = await call(token, 'POST', '/api/v1/sessions', { image: image.name });
    assert.equal(r.status, 201, JSON.stringify(r.json));
    assert.equal(r.json.state, 'requested');
    assert.deepEqual(r.json.user, { id: user.user_id, username: user.username });
    assert.deepEqual(r.json.image, { id: image.image_id, name: image.name, web_port: image.web_port });
    const events = await readSse(`${env.url}/api/v1/sessions/${r.json.id}/events`, token, AbortSignal.timeout(30_000));
    const states = events.filter((e) => e.event === 'state').map((e) => e.data.data && (e.data.data as { state: string }).state);
    assert.deepEqual(states, ['requested', 'preparing', 'starting', 'running']);
    const kinds = events.map((e) => e.event);
    const order = ['mapping.prepared', 'mapping.checked', 'container.created', 'container.started'].map((k) => kinds.indexOf(k));
    assert.ok(order.every((i) => i >= 0) && order.every((v, i) => i === 0 || v > (order[i - 1] as number)), `events out of order: ${kinds.join(', ')}`);
    const seqs = events.map((e) => e.data.seq as number);
    assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b), 'seq ascending');
    const shown = await call(token, 'GET', `/api/v1/sessions/${r.json.id}`);
    assert.equal(shown.json.state, 'running');
    assert.equal(shown.json.drift, false);
    assert.equal(typeof shown.json.container_id, 'string');
    assert.deepEqual(shown.json.warnings, []);
    assert.equal(shown.json.error, null);
    assert.equal(shown.json.mounts.mounts[0].bind, '/data');
    // destroy: 202, then destroyed; host data untouched
    await writeFile(`${folder}/precious.txt`, 'keep me');
    // a stream following the session to its end (?until=end) closes after destroyed
    const tail = readSse(`${env.url}/api/v1/sessions/${r.json.id}/events?until=end`, token, AbortSignal.timeout(30_000));
    await new Promise((res) => setTimeout(res, 100));
    const d = await call(token, 'DELETE', `/api/v1/sessions/${r.json.id}`);
    assert.equal(d.status, 202);
    assert.ok(['stopping', 'destroyed'].includes(d.json.state));
    const tailStates = (await tail).filter((e) => e.event === 'state').map((e) => (e.data.data as { state: string }).state);
    assert.deepEqual(tailStates.slice(-2), ['stopping', 'destroyed']);
    await waitState(token, r.json.id, ['destroyed']);
    assert.equal(await readFile(`${folder}/precious.txt`, 'utf8'), 'keep me');
    assert.equal((await env.lab.containersOf(r.json.id)).length, 0);
  });

  it('users see and destroy only their own sessions; admins see all; launching for another user is admin-only', async () => {
    const image = await env.lab.image({});
    const a = await env.api.makeUser(`own-a-${env.lab.runId}`);
    const b = await env.api.makeUser(`own-b-${env.lab.runId}`);
    const forB = await call(a.token, 'POST', '/api/v1/sessions', { image: image.name, user: b.user.username });
    assert.equal(forB.status, 403);
    const byAdmin = await call(env.api.adminToken, 'POST', '/api/v1/sessions', { image: image.name, user: b.user.username });
    assert.equal(byAdmin.status, 201);
    assert.equal(byAdmin.json.user.id, b.user.user_id);
    const sid = byAdmin.json.id as string;
    assert.equal((await call(a.token, 'GET', `/api/v1/sessions/${sid}`)).status, 404);
    assert.equal((await call(a.token, 'DELETE', `/api/v1/sessions/${sid}`)).status, 404);
    assert.deepEqual((await call(a.token, 'GET', '/api/v1/sessions')).json, []);
    assert.deepEqual((await call(b.token, 'GET', '/api/v1/sessions')).json.map((s: SessionJson) => s.id), [sid]);
    const adminList = await call(env.api.adminToken, 'GET', `/api/v1/sessions?user=${b.user.username}`);
    assert.deepEqual(adminList.json.map((s: SessionJson) => s.id), [sid]);
    // ?user= naming someone else is refused for a user (not silently ignored); naming themselves is fine
    const peek = await call(a.token, 'GET', `/api/v1/sessions?user=${b.user.username}`);
    assert.equal(peek.status, 403, JSON.stringify(peek.json));
    assert.match(peek.json.message, /only administrators/);
    assert.equal((await call(a.token, 'GET', '/api/v1/sessions?user=no-such-user')).status, 403, 'no hint whether the user exists');
    for (const self of [b.user.username, b.user.user_id, b.user.username.toUpperCase()]) {
      const own = await call(b.token, 'GET', `/api/v1/sessions?user=${self}`);
      assert.equal(own.status, 200, JSON.stringify(own.json));
      assert.deepEqual(own.json.map((s: SessionJson) => s.id), [sid]);
    }
    await waitState(b.token, sid, ['running']);
    assert.equal((await call(b.token, 'DELETE', `/api/v1/sessions/${sid}`)).status, 202);
    await waitState(b.token, sid, ['destroyed']);
  });

  it('max_sessions_per_user (largest across groups) -> 409; an image not open to a user -> 404 (admins: 403)', async () => {
    const image = await env.lab.image({});
    const group = await env.lab.group({ max_sessions_per_user: 1 });
    // All Users allows 5; lower it for this test so the custom group's 1 is not the largest.
    const allUsers = await env.api.store.groups.getByName('All Users');
    assert.ok(allUsers);
    await env.api.store.groups.update(allUsers.group_id, { settings: { ...allUsers.settings, max_sessions_per_user: 1 } });
    try {
      const u = await env.api.makeUser(`lim-${env.lab.runId}`);
      await env.api.store.groups.addMember(group.group_id, u.user.user_id);
      const first = await call(u.token, 'POST', '/api/v1/sessions', { image: image.name });
      assert.equal(first.status, 201);
      const second = await call(u.token, 'POST', '/api/v1/sessions', { image: image.name });
      assert.equal(second.status, 409);
      assert.match(second.json.message, /max_sessions_per_user/);
      await waitState(u.token, first.json.id, ['running']);
      await call(u.token, 'DELETE', `/api/v1/sessions/${first.json.id}`);
      await waitState(u.token, first.json.id, ['destroyed']);
      assert.equal((await call(u.token, 'POST', '/api/v1/sessions', { image: image.name })).status, 201, 'a destroyed session no longer counts');
    } finally {
      await env.api.store.groups.update(allUsers.group_id, { settings: allUsers.settings });
    }
    const other = await env.lab.group({});
    const closed = await env.lab.image({}, { groups: [other.group_id] });
    const disabled = await env.lab.image({}, { enabled: false });
    const u2 = await env.api.makeUser(`acc-${env.lab.runId}`);
    // An image that exists but is not open to the user answers exactly like an unknown one
    // (GET /images/{id} also says 404): a user cannot probe which images exist.
    const unknown = await call(u2.token, 'POST', '/api/v1/sessions', { image: 'no-such-image' });
    assert.equal(unknown.status, 404);
    for (const img of [closed, disabled]) {
      const r = await call(u2.token, 'POST', '/api/v1/sessions', { image: img.name });
      assert.equal(r.status, 404, JSON.stringify(r.json));
      assert.deepEqual(r.json, { ...unknown.json, message: unknown.json.message.replace('no-such-image', img.name) });
      assert.equal((await call(u2.token, 'GET', `/api/v1/images/${img.name}`)).status, 404);
    }
    // administrators keep the explicit 403 (disabled; not open to the user they launch for)
    const adminDisabled = await call(env.api.adminToken, 'POST', '/api/v1/sessions', { image: disabled.name });
    assert.equal(adminDisabled.status, 403);
    assert.match(adminDisabled.json.message, /is disabled/);
    const adminClosed = await call(env.api.adminToken, 'POST', '/api/v1/sessions', { image: closed.name, user: u2.user.username });
    assert.equal(adminClosed.status, 403);
    assert.match(adminClosed.json.message, /open only to members of its groups/);
    assert.deepEqual((await call(u2.token, 'GET', '/api/v1/sessions')).json, [], 'nothing was launched');
    assert.equal((await call(u2.token, 'POST', '/api/v1/sessions', { image: closed.name, extra: 1 })).status, 400);
  });

  it('session_time_limit (smallest across groups) destroys the session when reached', async () => {
    const image = await env.lab.image({});
    const g = await env.lab.group({ session_time_limit: 2 });
    const u = await env.api.makeUser(`ttl-${env.lab.runId}`);
    await env.api.store.groups.addMember(g.group_id, u.user.user_id);
    const r = await call(u.token, 'POST', '/api/v1/sessions', { image: image.name });
    const running = await waitState(u.token, r.json.id, ['running']);
    assert.ok(running.expires_at, 'expires_at is set');
    const t0 = Date.now();
    await waitState(u.token, r.json.id, ['destroyed']);
    assert.ok(Date.now() - t0 < 10_000);
    assert.equal((await env.lab.containersOf(r.json.id)).length, 0);
  });

  it('GET /metrics: admin token required, Prometheus text with the Tether series', async () => {
    const u = await env.api.makeUser(`met-${env.lab.runId}`);
    const denied = await fetch(`${env.url}/metrics`, { headers: { authorization: `Bearer ${u.token}` } });
    assert.equal(denied.status, 403);
    const res = await fetch(`${env.url}/metrics`, { headers: { authorization: `Bearer ${env.api.adminToken}` } });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/plain/);
    const text = await res.text();
    assert.match(text, /tether_launches_total\{outcome="running"\} [1-9]/);
    assert.match(text, /tether_launch_duration_seconds_bucket/);
    assert.match(text, /tether_volume_checks_total\{result="ok"\} [1-9]/);
    assert.match(text, /tether_sessions\{state="destroyed"\} [1-9]/);
  });
});
