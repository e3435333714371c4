import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { loadConfig, loadServerEnv, parseListen, SQLITE_FILE_NAME, TETHER_CODE_ROOT } from './config.js';
import { SQLITE_FILE_NAME as STORE_FILE_NAME } from './store/open-store.js';

// base64 of 32 bytes, as `openssl rand -base64 32` prints
const KEY_32 = Buffer.alloc(32, 7).toString('base64');

describe('config', () => {
  it('defaults: ~/.local/share/tether, SQLite in it, 127.0.0.1:8080, data dir, code and database denied by the policy', () => {
    const c = loadConfig({}, {});
    const dataDir = join(homedir(), '.local', 'share', 'tether');
    assert.equal(c.dataDir, dataDir);
    assert.equal(c.database, join(dataDir, 'tether.db'));
    assert.deepEqual(c.listen, { host: '127.0.0.1', port: 8080 });
    assert.equal(c.url, 'http://127.0.0.1:8080');
    assert.deepEqual(c.policy, { extraDenied: [dataDir, TETHER_CODE_ROOT, join(dataDir, 'tether.db')], allowedRoots: [] });
    assert.equal(SQLITE_FILE_NAME, STORE_FILE_NAME);
    // The code root is the package root: it holds package.json and this file's folder.
    assert.ok(existsSync(join(TETHER_CODE_ROOT, 'package.json')), TETHER_CODE_ROOT);
    assert.ok(existsSync(join(TETHER_CODE_ROOT, 'src', 'config.ts')) || existsSync(join(TETHER_CODE_ROOT, 'dist', 'config.js')));
    // A SQLite file kept outside the data dir is denied where it is; a PostgreSQL URL is no path.
    assert.deepEqual(loadConfig({ database: '/srv/db/t.db' }, {}).policy.extraDenied, [dataDir, TETHER_CODE_ROOT, '/srv/db/t.db']);
  });

  it('reads the environment, and flags override it', () => {
    const env = {
      XDG_DATA_HOME: '/x', TETHER_LISTEN: '0.0.0.0:9000', TETHER_ALLOWED_ROOTS: '/srv:/mnt/shares', TETHER_URL: 'http://h:1/',
      TETHER_TOKEN: 'tth_t', TETHER_ADMIN_PASSWORD: 'pw', DOCKER_HOST: 'unix:///d.sock', TETHER_SECRET_KEY: KEY_32,
    };
    const c = loadConfig({}, env);
    assert.equal(c.dataDir, '/x/tether');
    assert.deepEqual(c.listen, { host: '0.0.0.0', port: 9000 });
    assert.deepEqual(c.allowedRoots, ['/srv', '/mnt/shares']);
    assert.equal(c.url, 'http://h:1');
    assert.equal(c.token, 'tth_t');
    assert.equal(c.adminPassword, 'pw');
    assert.equal(c.dockerHost, 'unix:///d.sock');
    assert.equal(c.runtime, 'docker', 'one engine unless told otherwise');
    assert.equal(loadConfig({}, { ...env, TETHER_RUNTIME: 'swarm' }).runtime, 'swarm');
    assert.equal(loadConfig({ runtime: 'docker' }, { ...env, TETHER_RUNTIME: 'swarm' }).runtime, 'docker', 'the flag wins');
    assert.throws(() => loadConfig({}, { ...env, TETHER_RUNTIME: 'kubernetes' }), /TETHER_RUNTIME: "kubernetes" is not a runtime; expected docker .* or swarm/);
    assert.throws(() => loadConfig({ runtime: 'Swarm' }, env), /--runtime: "Swarm" is not a runtime/);
    assert.equal(c.secretKey, KEY_32);
    assert.equal(loadConfig({}, { XDG_DATA_HOME: '/x' }).secretKey, undefined);
    const o = loadConfig({ dataDir: '/d', listen: '127.0.0.1:0', database: 'postgres://db/t', url: 'http://o', token: 'tth_o' }, { ...env, TETHER_DATA_DIR: '/e' });
    assert.equal(o.dataDir, '/d');
    assert.equal(o.database, 'postgres://db/t');
    assert.deepEqual(o.listen, { host: '127.0.0.1', port: 0 });
    assert.equal(o.url, 'http://o');
    assert.equal(o.token, 'tth_o');
    assert.deepEqual(o.policy.extraDenied, ['/d', TETHER_CODE_ROOT]);
  });

  it('rejects bad listen addresses and relative allowed roots with a clear message', () => {
    assert.deepEqual(parseListen('[::1]:8080'), { host: '::1', port: 8080 });
    assert.deepEqual(parseListen(':8080'), { host: '127.0.0.1', port: 8080 });
    assert.throws(() => parseListen('8080'), /expected HOST:PORT/);
    assert.throws(() => parseListen('h:70000'), /expected HOST:PORT/);
    assert.throws(() => loadConfig({}, { TETHER_ALLOWED_ROOTS: 'srv' }), /not an absolute path/);
  });

  it('the server refuses a TETHER_SECRET_KEY that is not base64 of 32 bytes; client commands do not read it', () => {
    assert.throws(() => loadServerEnv({ TETHER_SECRET_KEY: 'a2V5' }), /TETHER_SECRET_KEY: decodes to 3 bytes; expected 32/);
    assert.throws(() => loadServerEnv({ TETHER_SECRET_KEY: 'not base64!' }), /TETHER_SECRET_KEY: not base64/);
    assert.equal(loadServerEnv({ TETHER_SECRET_KEY: KEY_32 }).metricsPublic, false);
    assert.equal(loadConfig({}, { TETHER_SECRET_KEY: 'a2V5' }).secretKey, 'a2V5');
  });

  it('TETHER_METRICS_PUBLIC (server only): 1 = public, unset/empty/0 = administrators only, anything else refused', () => {
    assert.equal(loadServerEnv({}).metricsPublic, false);
    assert.equal(loadServerEnv({ TETHER_METRICS_PUBLIC: '' }).metricsPublic, false);
    assert.equal(loadServerEnv({ TETHER_METRICS_PUBLIC: '0' }).metricsPublic, false);
    assert.equal(loadServerEnv({ TETHER_METRICS_PUBLIC: '1' }).metricsPublic, true);
    assert.throws(() => loadServerEnv({ TETHER_METRICS_PUBLIC: 'yes' }), /TETHER_METRICS_PUBLIC: "yes" is not a switch; expected 1 \(on\) or 0 \(off\)/);
  });

  it('a bad TETHER_METRICS_PUBLIC does not stop the CLI commands (only the server reads it)', () => {
    assert.doesNotThrow(() => loadConfig({}, { TETHER_METRICS_PUBLIC: 'yes' }));
  });
});

describe('session limits and the sessions firewall setting (server only)', () => {
  it('defaults: 2 cores, 4 GiB, 1024 processes; sessions kept away from the API', () => {
    const env = loadServerEnv({});
    assert.deepEqual(env.sessionDefaults, { cores: 2, memory: 4 * 1024 ** 3, pidsLimit: 1024 });
    assert.equal(env.sessionsReachApi, false);
  });

  it('reads sizes with units, 0 = no limit, and the switch', () => {
    const env = loadServerEnv({ TETHER_SESSION_CORES: '0.5', TETHER_SESSION_MEMORY: '512m', TETHER_SESSION_PIDS_LIMIT: '0', TETHER_SESSIONS_REACH_API: '1' });
    assert.deepEqual(env.sessionDefaults, { cores: 0.5, memory: 512 * 1024 ** 2, pidsLimit: null });
    assert.equal(env.sessionsReachApi, true);
    assert.deepEqual(loadServerEnv({ TETHER_SESSION_CORES: '0', TETHER_SESSION_MEMORY: '0' }).sessionDefaults, { cores: null, memory: null, pidsLimit: 1024 });
  });

  it('refuses bad values by name', () => {
    assert.throws(() => loadServerEnv({ TETHER_SESSION_MEMORY: '4 gigs' }), /TETHER_SESSION_MEMORY: "4 gigs"/);
    assert.throws(() => loadServerEnv({ TETHER_SESSION_MEMORY: '1k' }), /TETHER_SESSION_MEMORY.*6m to 16t/);
    assert.throws(() => loadServerEnv({ TETHER_SESSION_CORES: '-1' }), /TETHER_SESSION_CORES/);
    assert.throws(() => loadServerEnv({ TETHER_SESSION_PIDS_LIMIT: '10' }), /TETHER_SESSION_PIDS_LIMIT: "10".*32 to/);
    assert.throws(() => loadServerEnv({ TETHER_SESSIONS_REACH_API: 'yes' }), /TETHER_SESSIONS_REACH_API/);
  });
});
