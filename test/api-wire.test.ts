// The wire shapes (src/api/wire) are the API's: the served OpenAPI document carries exactly
// their JSON Schema for the routes that send them, and what the routes really send parses
// with them losing nothing and lacking nothing. The CLI and the web UI type their reads with
// the same module (the typecheck ties them); this test ties the server's answers to it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z, type ZodType } from 'zod';
import fp from 'fastify-plugin';
import { makeTestApp, type TestApp } from './helpers/app.js';
import { sessionLab, type SessionLab } from './helpers/sessions.js';
import { TEST_IMAGE } from './helpers/docker.js';
import {
  AgentKeyRotation, ApiKey, AuditEntry, ErrorBody, ExplainedSession, Group, Image, Me, MountsAnswer, Node, Session, StorageHealthReport, Token, User,
} from '../src/api/wire/index.js';
import { jsonSchemaOf } from '../src/api/zod-schema.js';
import { registerApiRoutes, serveSessions } from '../src/api/app.js';
import { storageHealthRoutes } from '../src/api/routes/storage-health.js';
import { agentKeyRoutes } from '../src/api/routes/agent-keys.js';
import { createStorageHealth, singleEngineTargets } from '../src/sessions/index.js';

type Json = Record<string, unknown>;

/** @fastify/swagger writes OpenAPI 3.0's `nullable: true` for a JSON Schema type [T, 'null']: back to the latter. */
function fromOpenApi(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(fromOpenApi);
  if (value === null || typeof value !== 'object') return value;
  const { nullable, ...rest } = value as Json;
  const out = Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, fromOpenApi(v)]));
  if (nullable === true) out.type = [out.type, 'null'];
  return out;
}

/** @fastify/swagger writes a JSON Schema `const: v` as OpenAPI 3.0's `enum: [v]`: the expected schema the same way. */
function constAsEnum(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(constAsEnum);
  if (value === null || typeof value !== 'object') return value;
  const { const: only, ...rest } = value as Json;
  const out = Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, constAsEnum(v)]));
  return 'const' in (value as Json) ? { ...out, enum: [only] } : out;
}

/** body parsed by the schema (zod drops unknown keys at every depth) must equal the body: nothing extra, nothing missing */
function assertWire(schema: ZodType, body: unknown, what: string): void {
  const parsed = schema.safeParse(body);
  assert.ok(parsed.success, `${what}: ${parsed.success ? '' : JSON.stringify(parsed.error.issues)}`);
  assert.deepEqual(parsed.data, body, `${what}: fields the wire shape does not list`);
}

describe('wire shapes: one definition for server, CLI and web UI', () => {
  let t: TestApp;
  let doc: { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>> };
  let imageId: string;
  let lab: SessionLab | undefined;
  let sessionId: string;
  const keyDir = mkdtempSync(join(tmpdir(), 'tether-wire-'));

  before(async () => {
    // the sessions feature on the real engine, with GET /storage/health and POST /agents/rotate-key, as `tether server` has them
    const sessions = fp(async (app) => {
      lab = await sessionLab({ store: app.deps.store });
      await serveSessions(app, lab.manager);
      await registerApiRoutes(app, [
        storageHealthRoutes(createStorageHealth({ store: app.deps.store, targets: singleEngineTargets(lab.preparer) })),
        agentKeyRoutes({ dataDir: keyDir, keyFile: join(keyDir, 'agent.key') }),
      ]);
    }, { name: 'tether-sessions', dependencies: ['tether-core'] });
    t = await makeTestApp('sqlite', {}, [sessions]);
    doc = (await t.call(null, { method: 'GET', url: '/api/v1/openapi.json' })).json();
    const group = await t.call(t.adminToken, { method: 'POST', url: '/api/v1/groups', payload: { name: 'devs', priority: 10, settings: { session_time_limit: 3600 } } });
    assert.equal(group.statusCode, 201, group.body);
    const image = await t.call(t.adminToken, {
      method: 'POST', url: '/api/v1/images',
      payload: { name: 'desk', docker_image: 'tether/desktop:1', web_port: 6901, volume_mappings: { '/srv/tether/{username}': { bind: '/share', uid: 1000, gid: 1000 } } },
    });
    assert.equal(image.statusCode, 201, image.body);
    imageId = image.json().image_id;
    const user = await t.call(t.adminToken, { method: 'POST', url: '/api/v1/users', payload: { username: 'ann', password: 'password-1234' } });
    assert.equal(user.statusCode, 201, user.body);
    assert.equal((await t.call(t.adminToken, { method: 'POST', url: '/api/v1/tokens', payload: { name: 'ci' } })).statusCode, 201);
    assert.equal((await t.call(t.adminToken, { method: 'POST', url: '/api/v1/api-keys', payload: { name: 'lms', permissions: ['images'] } })).statusCode, 201);
    const runnable = await t.call(t.adminToken, { method: 'POST', url: '/api/v1/images', payload: { name: 'plain', docker_image: TEST_IMAGE } });
    assert.equal(runnable.statusCode, 201, runnable.body);
    const launched = await t.call(t.adminToken, { method: 'POST', url: '/api/v1/sessions', payload: { image: 'plain' } });
    assert.equal(launched.statusCode, 201, launched.body);
    assertWire(Session, launched.json(), 'POST /sessions');
    sessionId = launched.json().id;
    assert.equal((await lab!.manager.waitForLaunch(sessionId)).state, 'running');
  });
  after(async () => {
    await lab?.cleanup();
    await t?.cleanup();
    rmSync(keyDir, { recursive: true, force: true });
  });

  const served = (path: string, method: string, status: string) => fromOpenApi(doc.paths[path]?.[method]?.responses[status]?.content?.['application/json']?.schema);

  const table: Array<[string, string, string, ZodType]> = [
    ['/api/v1/users', 'get', '200', z.array(User)],
    ['/api/v1/users', 'post', '201', User],
    ['/api/v1/users/{id}', 'patch', '200', User],
    ['/api/v1/groups', 'get', '200', z.array(Group)],
    ['/api/v1/groups/{id}', 'get', '200', Group],
    ['/api/v1/images', 'get', '200', z.array(Image)],
    ['/api/v1/images/{id}', 'get', '200', Image],
    ['/api/v1/tokens', 'get', '200', z.array(Token)],
    ['/api/v1/audit', 'get', '200', z.array(AuditEntry)],
    ['/api/v1/me', 'get', '200', Me],
    ['/api/v1/api-keys', 'get', '200', z.array(ApiKey)],
    ['/api/v1/groups/{id}/members', 'get', '200', z.array(User)],
    ['/api/v1/sessions', 'get', '200', z.array(Session)],
    ['/api/v1/sessions', 'post', '201', Session],
    ['/api/v1/sessions/{id}', 'get', '200', ExplainedSession],
    ['/api/v1/sessions/{id}', 'delete', '202', Session],
    ['/api/v1/nodes', 'get', '200', z.array(Node)],
    ['/api/v1/storage/health', 'get', '200', StorageHealthReport],
    ['/api/v1/agents/rotate-key', 'post', '200', AgentKeyRotation],
  ];
  for (const [path, method, status, schema] of table) {
    it(`openapi.json: ${method.toUpperCase()} ${path} ${status} is the wire shape`, () => {
      assert.deepEqual(served(path, method, status), constAsEnum(jsonSchemaOf(schema)));
    });
  }

  it('openapi.json: every 400/401/403/404/409 of every route is the one error body', () => {
    const error = jsonSchemaOf(ErrorBody);
    let seen = 0;
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        for (const status of ['400', '401', '403', '404', '409']) {
          if (!op.responses[status]) continue;
          seen++;
          assert.deepEqual(served(path, method, status), error, `${method.toUpperCase()} ${path} ${status}`);
        }
      }
    }
    assert.ok(seen > 50, `error responses checked: ${seen}`);
  });

  it('what the routes send is the wire shape, nothing more and nothing less', async () => {
    const get = async (url: string) => {
      const res = await t.call(t.adminToken, { method: 'GET', url });
      assert.equal(res.statusCode, 200, `${url}: ${res.body}`);
      return res.json() as unknown;
    };
    assertWire(z.array(User), await get('/api/v1/users'), 'GET /users');
    assertWire(z.array(Group), await get('/api/v1/groups'), 'GET /groups');
    const images = await get('/api/v1/images');
    assertWire(z.array(Image), images, 'GET /images');
    assert.equal((images as Array<{ web_port: number | null }>)[0]?.web_port, 6901, 'web_port is sent');
    assertWire(Image, await get(`/api/v1/images/${imageId}`), 'GET /images/{id}');
    assertWire(z.array(Token), await get('/api/v1/tokens'), 'GET /tokens');
    assertWire(z.array(AuditEntry), await get('/api/v1/audit'), 'GET /audit');
    assertWire(Me, await get('/api/v1/me'), 'GET /me');
    assertWire(z.array(ApiKey), await get('/api/v1/api-keys'), 'GET /api-keys');
    assertWire(MountsAnswer, await get(`/api/v1/effective-mounts?image=${imageId}`), 'GET /effective-mounts');
    assertWire(z.array(User), await get('/api/v1/groups/All%20Users/members'), 'GET /groups/{id}/members');
    assertWire(z.array(Node), await get('/api/v1/nodes'), 'GET /nodes');
    const health = await get('/api/v1/storage/health?timeout_ms=5000');
    assertWire(StorageHealthReport, health, 'GET /storage/health');
    assert.ok((health as StorageHealthReport).paths.some((p) => p.path === '/srv/tether'), JSON.stringify(health));
    const sessions = await get('/api/v1/sessions');
    assertWire(z.array(Session), sessions, 'GET /sessions');
    assert.deepEqual((sessions as Session[]).map((s) => [s.id, s.state]), [[sessionId, 'running']]);
    assertWire(Session, await get(`/api/v1/sessions/${sessionId}`), 'GET /sessions/{id}');
    const explained = await get(`/api/v1/sessions/${sessionId}?explain=1`);
    assertWire(ExplainedSession, explained, 'GET /sessions/{id}?explain=1');
    assert.deepEqual((explained as ExplainedSession).drift_explanation, { drift: false, changes: [], mounts_now: null, error: null });
    const rotated = await t.call(t.adminToken, { method: 'POST', url: '/api/v1/agents/rotate-key' });
    assert.equal(rotated.statusCode, 200, rotated.body);
    assertWire(AgentKeyRotation, rotated.json(), 'POST /agents/rotate-key');
    const destroyed = await t.call(t.adminToken, { method: 'DELETE', url: `/api/v1/sessions/${sessionId}` });
    assert.equal(destroyed.statusCode, 202, destroyed.body);
    assertWire(Session, destroyed.json(), 'DELETE /sessions/{id}');
  });

  it('errors are the one error body', async () => {
    const missing = await t.call(t.adminToken, { method: 'GET', url: '/api/v1/images/nope' });
    assert.equal(missing.statusCode, 404);
    assertWire(ErrorBody, missing.json(), '404');
    const invalid = await t.call(t.adminToken, { method: 'POST', url: '/api/v1/users', payload: { username: 'bob', password: 'short', extra: 1 } });
    assert.equal(invalid.statusCode, 400);
    assertWire(ErrorBody, invalid.json(), '400');
    assert.deepEqual(invalid.json().validations.map((v: { field: string }) => v.field).sort(), ['extra', 'password']);
  });

  it('error locations travel as data: a JSON pointer into the body, and the line and column in the text sent', async () => {
    const text = '{\n  "/srv/tether/a": {\n    "bind": "/a", "uid": -4\n  },\n  "/etc/tether": { "bind": "/b" }\n}';
    const bad = await t.call(t.adminToken, { method: 'POST', url: '/api/v1/groups', payload: { name: 'placed', priority: 20, settings: { volume_mappings: text } } });
    assert.equal(bad.statusCode, 400, bad.body);
    assertWire(ErrorBody, bad.json(), '400');
    const uid = bad.json().validations.find((v: { pointer?: string }) => v.pointer === '/settings/volume_mappings/~1srv~1tether~1a/uid');
    assert.ok(uid, bad.body);
    assert.deepEqual([uid.field, uid.line, uid.column], ['settings.volume_mappings."/srv/tether/a".uid', 3, 19]);

    const policy = await t.call(t.adminToken, { method: 'POST', url: '/api/v1/groups', payload: { name: 'placed', priority: 20, settings: { volume_mappings: '{\n\n  "/etc/tether": { "bind": "/b" }\n}' } } });
    assert.equal(policy.statusCode, 400, policy.body);
    assert.deepEqual(policy.json().validations.map((v: { pointer: string; line: number; column: number }) => [v.pointer, v.line, v.column]), [['/settings/volume_mappings/~1etc~1tether', 3, 3]]);

    const syntax = await t.call(t.adminToken, { method: 'POST', url: '/api/v1/images', payload: { name: 'broken', docker_image: 'x:1', volume_mappings: '{\n  "/srv/a": { "bind": "/a" },,\n}' } });
    assert.equal(syntax.statusCode, 400, syntax.body);
    assert.deepEqual(syntax.json().validations.map((v: { pointer: string; line: number; column: number }) => [v.pointer, v.line, v.column]), [['/volume_mappings', 2, 30]]);
  });
});
