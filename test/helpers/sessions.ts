// A real session stack for integration tests: a fresh store, the Docker runtime on the real
// engine, the local host preparer, the session manager and metrics. Everything a test
// creates (users, images, containers, folders) is removed by cleanup(), even on failure.
import { randomUUID } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import pino from 'pino';
import type Dockerode from 'dockerode';
import { DEFAULT_POLICY } from '../../src/mappings/index.js';
import type { MappingDocument, MappingSpec } from '../../src/mappings/types.js';
import { createDockerRuntime, type DockerRuntime } from '../../src/runtime/docker/index.js';
import { createLocalHostPreparer, type LocalHostPreparerOptions } from '../../src/hostprep/index.js';
import type { HostPreparer } from '../../src/hostprep/types.js';
import { createSessionManager, type SessionManager, type SessionManagerOptions, type Actor } from '../../src/sessions/index.js';
import { createMetrics, type TetherMetrics } from '../../src/metrics/metrics.js';
import { ALL_USERS_GROUP_ID, defaultGroupSettings } from '../../src/store/system-groups.js';
import type { GroupRecord, GroupSettings, ImageRecord, SessionRecord, Store, UserRecord } from '../../src/store/types.js';
import { freshStore, type StoreKind } from './databases.js';
import { makeTestApp, type TestApp } from './app.js';
import { serveSessions } from '../../src/api/app.js';
import fp from 'fastify-plugin';
import { metricsRoute } from '../../src/metrics/metrics-route.js';
import { dockerClient, ensureDocker, removeLabelled, TEST_IMAGE } from './docker.js';

/**
 * The test image's default `sleep` runs as PID 1 and ignores SIGTERM, so every remove would
 * wait out the stop grace; a shell that exits on TERM keeps destroys fast.
 */
export const FAST_STOP_CMD = ['sh', '-c', 'trap "exit 0" TERM; sleep 1000000 & wait'];

export const ADMIN_ACTOR: Actor = { user_id: null, username: 'test-admin', isAdmin: true };

/** A normalized mapping spec with the spec's defaults (rw, required, 10 s, checked). */
export function mapping(bind: string, o: Partial<MappingSpec> = {}): MappingSpec {
  return { bind, mode: 'rw', required: true, timeout: 10, skip_check: false, ...o };
}

export interface SessionLab {
  store: Store;
  runtime: DockerRuntime;
  preparer: HostPreparer;
  manager: SessionManager;
  metrics: TetherMetrics;
  docker: Dockerode;
  /** unique per lab, usable in names and folders */
  runId: string;
  user(o?: { username?: string; groups?: GroupRecord[] }): Promise<UserRecord>;
  group(settings?: Partial<GroupSettings>, o?: Partial<GroupRecord>): Promise<GroupRecord>;
  image(volume_mappings: MappingDocument, o?: Partial<ImageRecord>): Promise<ImageRecord>;
  /** launch as an administrator and wait until running/failed */
  launch(user: UserRecord, image: ImageRecord): Promise<SessionRecord>;
  /** a folder removed at cleanup (created unless create: false) */
  folder(path: string, o?: { create?: boolean }): Promise<string>;
  /** containers of this lab's sessions still on the engine (should be none after a rollback) */
  containersOf(sessionId: string): Promise<Dockerode.ContainerInfo[]>;
  cleanup(): Promise<void>;
}

export async function sessionLab(o: { kind?: StoreKind; store?: Store; manager?: Partial<SessionManagerOptions>; preparer?: LocalHostPreparerOptions } = {}): Promise<SessionLab> {
  await ensureDocker();
  // a given store belongs to the caller (e.g. the test app), who closes it
  const fresh = o.store ? { store: o.store, cleanup: async () => undefined } : await freshStore(o.kind ?? 'sqlite');
  const store = fresh.store;
  const runtime = createDockerRuntime();
  const preparer = createLocalHostPreparer({ policy: DEFAULT_POLICY, ...o.preparer });
  const metrics = createMetrics({ store });
  const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const manager = createSessionManager({
    store, runtime, preparer, policy: DEFAULT_POLICY, logger, metrics,
    containerCmd: () => FAST_STOP_CMD,
    lateContainerChecksMs: [500, 2_000, 5_000],
    ...o.manager,
  });
  const docker = dockerClient();
  const runId = randomUUID().slice(0, 8);
  const folders: string[] = [];
  const sessionIds: string[] = [];

  return {
    store, runtime, preparer, manager, metrics, docker, runId,
    async user(u = {}) {
      const at = new Date().toISOString();
      const rec: UserRecord = { user_id: randomUUID(), username: u.username ?? `u${runId}-${randomUUID().slice(0, 6)}`, password_hash: 'x', disabled: false, created_at: at, updated_at: at };
      await store.users.create(rec);
      await store.groups.addMember(ALL_USERS_GROUP_ID, rec.user_id);
      for (const g of u.groups ?? []) await store.groups.addMember(g.group_id, rec.user_id);
      return rec;
    },
    async group(settings = {}, g = {}) {
      const at = new Date().toISOString();
      const rec: GroupRecord = {
        group_id: randomUUID(), name: `g${runId}-${randomUUID().slice(0, 6)}`, priority: 2000 + Math.floor(Math.random() * 1e6), system: false,
        settings: { ...defaultGroupSettings(), ...settings }, created_at: at, updated_at: at, ...g,
      };
      await store.groups.create(rec);
      return rec;
    },
    async image(volume_mappings, i = {}) {
      const at = new Date().toISOString();
      const rec: ImageRecord = {
        image_id: randomUUID(), name: `img${runId}-${randomUUID().slice(0, 6)}`, friendly_name: 'Test', docker_image: TEST_IMAGE,
        volume_mappings, persistent_profile_path: null, user: '1000:1000', cores: null, memory: null, enabled: true, groups: [],
        web_port: null, registry_auth_encrypted: null, created_at: at, updated_at: at, ...i,
      };
      await store.images.create(rec);
      return rec;
    },
    async launch(user, image) {
      const rec = await manager.launch({ imageId: image.image_id, userId: user.user_id, actor: ADMIN_ACTOR });
      sessionIds.push(rec.session_id);
      return manager.waitForLaunch(rec.session_id);
    },
    async folder(path, f = {}) {
      folders.push(path);
      if (f.create !== false) await mkdir(path, { recursive: true });
      return path;
    },
    async containersOf(sessionId) {
      return docker.listContainers({ all: true, filters: { label: [`tether.session=${sessionId}`] } });
    },
    async cleanup() {
      await manager.close().catch(() => undefined);
      const all = await store.sessions.list().catch(() => [] as SessionRecord[]);
      for (const s of all) await removeLabelled(docker, `tether.session=${s.session_id}`);
      for (const id of sessionIds) await removeLabelled(docker, `tether.session=${id}`);
      await preparer.close().catch(() => undefined);
      await fresh.cleanup();
      for (const f of folders.reverse()) await rm(f, { recursive: true, force: true });
    },
  };
}

/** Polls fn until it returns a truthy value or the time is up. */
export async function eventually<T>(fn: () => Promise<T | undefined | null | false>, timeoutMs: number, what: string): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface SessionApiLab {
  api: TestApp;
  lab: SessionLab;
  /** base URL once listen() was called */
  url: string;
  cleanup(): Promise<void>;
}

/** The sessions feature ('tether-sessions') over a manager made by the test. */
export function sessionsFeatureOf(manager: SessionManager) {
  return fp(async (app) => serveSessions(app, manager), { name: 'tether-sessions', dependencies: ['tether-core'] });
}

/**
 * The sessions feature over a SessionLab sharing the app's store, as `tether server`'s
 * 'tether-sessions' plugin serves its manager (app.sessions and the sessions routes); with
 * `metrics`, GET /metrics over the lab's metrics too. `onLab` receives the lab.
 */
export function sessionsLabPlugin(onLab: (lab: SessionLab) => void, o: { preparer?: LocalHostPreparerOptions; metrics?: boolean } = {}) {
  return fp(async (app) => {
    const lab = await sessionLab({ store: app.deps.store, ...(o.preparer ? { preparer: o.preparer } : {}) });
    onLab(lab);
    await serveSessions(app, lab.manager);
    if (o.metrics) await app.register(metricsRoute(lab.metrics));
  }, { name: 'tether-sessions', dependencies: ['tether-core'] });
}

/**
 * The HTTP API (test app: admin + token, low scrypt cost) with the sessions routes and
 * GET /metrics over a SessionLab sharing the app's store, listening on a loopback port.
 */
export async function sessionApiLab(kind: StoreKind = 'sqlite', preparer?: LocalHostPreparerOptions): Promise<SessionApiLab> {
  let lab: SessionLab | undefined;
  const api = await makeTestApp(kind, {}, [sessionsLabPlugin((l) => { lab = l; }, { ...(preparer ? { preparer } : {}), metrics: true })]);
  const built = lab as SessionLab;
  const url = await api.app.listen({ host: '127.0.0.1', port: 0 });
  return {
    api, lab: built, url,
    async cleanup() {
      await built.cleanup();
      await api.cleanup();
    },
  };
}

/** Reads a server-sent events stream to its end: [{ event, data }] in order. */
export async function readSse(url: string, token: string, signal?: AbortSignal): Promise<Array<{ event: string; data: Record<string, unknown> }>> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' }, ...(signal ? { signal } : {}) });
  if (res.status !== 200) throw new Error(`GET ${url}: expected 200, got ${res.status}: ${await res.text()}`);
  const text = await res.text();
  const out: Array<{ event: string; data: Record<string, unknown> }> = [];
  for (const block of text.split('\n\n')) {
    const event = /^event: (.+)$/m.exec(block)?.[1];
    const data = /^data: (.+)$/m.exec(block)?.[1];
    if (event && data) out.push({ event, data: JSON.parse(data) as Record<string, unknown> });
  }
  return out;
}
