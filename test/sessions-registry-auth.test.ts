// Registry credentials per image, end to end on the real engine: a real htpasswd-protected
// docker-registry on loopback, images created through the API with credentials that are
// stored encrypted (AES-256-GCM under a key file outside the database) and never shown.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/api/app.js';
import { generateTokenSecret } from '../src/auth/index.js';
import { createSecretBox, SECRET_KEY_FILE, sealRegistryAuth } from '../src/secrets/index.js';
import { ADMINISTRATORS_GROUP_ID, ALL_USERS_GROUP_ID } from '../src/store/system-groups.js';
import { apiCall } from './helpers/http-api.js';
import { TEST_POLICY, TEST_SCRYPT_N } from './helpers/app.js';
import { freshStore, type FreshStore } from './helpers/databases.js';
import { startRegistry, type TestRegistry } from './helpers/registry.js';
import { readSse, sessionLab, sessionsFeatureOf, type SessionLab } from './helpers/sessions.js';

const PASSWORD = `pw-${randomUUID()}`;

describe('registry credentials per image (real engine, real htpasswd registry, SQLite)', () => {
  let registry: TestRegistry;
  let fresh: FreshStore;
  let lab: SessionLab;
  let app: FastifyInstance;
  let url: string;
  let token: string;
  let dataDir: string;
  const pulled: string[] = [];

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'tether-secrets-it-'));
    registry = await startRegistry({ auth: { username: 'tether', password: PASSWORD } });
    fresh = await freshStore('sqlite');
    const box = createSecretBox({ dataDir });
    lab = await sessionLab({ store: fresh.store, manager: { decryptRegistryAuth: (s) => box.openRegistryAuth(s), pullTimeoutMs: 60_000 } });
    const at = new Date().toISOString();
    const adminId = randomUUID();
    await fresh.store.users.create({ user_id: adminId, username: 'admin', password_hash: 'x', disabled: false, created_at: at, updated_at: at });
    await fresh.store.groups.addMember(ALL_USERS_GROUP_ID, adminId);
    await fresh.store.groups.addMember(ADMINISTRATORS_GROUP_ID, adminId);
    const t = generateTokenSecret();
    await fresh.store.tokens.create({ token_id: randomUUID(), user_id: adminId, kind: 'api', name: 't', digest: t.digest, created_at: at, expires_at: null, revoked_at: null, last_used_at: null });
    token = t.secret;
    app = await buildApp({ store: fresh.store, policy: TEST_POLICY, auth: { scryptN: TEST_SCRYPT_N }, secrets: box }, [sessionsFeatureOf(lab.manager)]);
    url = await app.listen({ host: '127.0.0.1', port: 0 });
  });
  after(async () => {
    await app?.close().catch(() => undefined);
    await lab?.cleanup();
    for (const ref of pulled) await lab?.docker.getImage(ref).remove({ force: true }).catch(() => undefined);
    await registry?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const call = (method: string, path: string, body?: unknown) => apiCall(url, token, method, `/api/v1${path}`, body);

  /** pushes a fresh image (gone from the engine) and creates a Tether image for it through the API */
  async function imageWith(password: string): Promise<{ name: string; id: string; ref: string; text: string }> {
    const ref = await registry.pushTestImage(lab.docker, `tether-auth-${lab.runId}-${randomUUID().slice(0, 6)}`);
    pulled.push(ref);
    const name = `auth-${randomUUID().slice(0, 8)}`;
    const r = await call('POST', '/images', { name, docker_image: ref, registry_auth: { username: 'tether', password, serveraddress: registry.host } });
    assert.equal(r.status, 201, r.text);
    return { name, id: r.json.image_id, ref, text: r.text };
  }

  async function launch(image: string): Promise<{ session: { state: string; error: { class: string; message: string } | null }; events: Array<{ event: string }> }> {
    const r = await call('POST', '/sessions', { image });
    assert.equal(r.status, 201, r.text);
    const events = await readSse(`${url}/api/v1/sessions/${r.json.id}/events`, token, AbortSignal.timeout(60_000));
    return { session: (await call('GET', `/sessions/${r.json.id}`)).json, events };
  }

  it('with the right credentials the image is pulled (progress on the stream) and the session runs; the password is never stored or shown in clear', async () => {
    const image = await imageWith(PASSWORD);
    assert.ok(!image.text.includes(PASSWORD), 'the create response shows the password');
    const shown = await call('GET', `/images/${image.id}`);
    assert.equal(shown.json.has_registry_auth, true);
    assert.ok(!shown.text.includes(PASSWORD) && !shown.text.includes('v1:'), `GET /images/:id shows the secret: ${shown.text}`);
    assert.ok(!(await call('GET', '/images')).text.includes(PASSWORD));

    // the row as the SQLite file holds it: sealed, no password
    const db = new Database(fresh.url, { readonly: true });
    try {
      const row = db.prepare('select * from images where image_id = ?').get(image.id) as Record<string, unknown>;
      assert.ok(!JSON.stringify(row).includes(PASSWORD), 'the database row holds the password in clear');
      assert.match(String(row.registry_auth_encrypted), /^v1:[A-Za-z0-9_-]+:[A-Za-z0-9_-]+:[A-Za-z0-9_-]+$/);
      const audit = db.prepare("select before, after from audit where target_id = ?").all(image.id);
      assert.ok(audit.length > 0);
      assert.ok(!JSON.stringify(audit).includes(PASSWORD) && !JSON.stringify(audit).includes(String(row.registry_auth_encrypted)), 'the audit log holds the secret');
    } finally {
      db.close();
    }
    assert.equal((await stat(join(dataDir, SECRET_KEY_FILE))).mode & 0o777, 0o600);

    const { session, events } = await launch(image.name);
    assert.equal(session.state, 'running', JSON.stringify(session));
    assert.ok(events.some((e) => e.event === 'image.pull'), `no image.pull event: ${events.map((e) => e.event).join(', ')}`);
  });

  it('with wrong credentials the launch fails with class image saying authentication failed', async () => {
    const image = await imageWith('wrong-password');
    const { session } = await launch(image.name);
    assert.equal(session.state, 'failed');
    assert.equal(session.error?.class, 'image');
    assert.match(session.error?.message ?? '', /authentication failed/i);
  });

  it('credentials sealed under another key fail the launch with class image, not a crash; PATCH null clears them', async () => {
    const image = await imageWith(PASSWORD);
    await fresh.store.images.update(image.id, { registry_auth_encrypted: sealRegistryAuth(randomBytes(32), { username: 'tether', password: PASSWORD }) });
    const { session } = await launch(image.name);
    assert.equal(session.state, 'failed');
    assert.equal(session.error?.class, 'image');
    assert.match(session.error?.message ?? '', /cannot decrypt the image's registry credentials/);
    const cleared = await call('PATCH', `/images/${image.id}`, { registry_auth: null });
    assert.equal(cleared.status, 200, cleared.text);
    assert.equal(cleared.json.has_registry_auth, false);
    assert.equal((await fresh.store.images.get(image.id))?.registry_auth_encrypted, null);
  });
});
