// The web UI plugin (src/api/web-ui.ts) over a web/dist of our own: files as they are, the
// SPA fallback, cache headers, no way out of the folder, JSON 404 under /api, 503 when unbuilt.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeTestApp, type TestApp } from './helpers/app.js';
import { webUiPlugin } from '../src/api/web-ui.js';

describe('web UI plugin', () => {
  let dir: string;
  let t: TestApp;
  let unbuilt: TestApp;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tether-web-ui-'));
    await mkdir(join(dir, 'dist/assets'), { recursive: true });
    await mkdir(join(dir, 'empty'));
    await writeFile(join(dir, 'dist/index.html'), '<div id="root"></div>');
    await writeFile(join(dir, 'dist/assets/app-1234.js'), 'console.log(1)');
    await writeFile(join(dir, 'secret.txt'), 'outside web/dist');
    t = await makeTestApp('sqlite', {}, [webUiPlugin({ root: join(dir, 'dist') })]);
    unbuilt = await makeTestApp('sqlite', {}, [webUiPlugin({ root: join(dir, 'empty') })]);
  });
  after(async () => {
    await t?.cleanup();
    await unbuilt?.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves index.html at / and for deep links, revalidated, with a CSP', async () => {
    for (const url of ['/', '/admin/images/abc', '/sessions/x?y=1']) {
      const res = await t.app.inject({ method: 'GET', url });
      assert.equal(res.statusCode, 200, url);
      assert.equal(res.body, '<div id="root"></div>');
      assert.match(String(res.headers['content-type']), /^text\/html/);
      assert.equal(res.headers['cache-control'], 'no-cache');
      assert.match(String(res.headers['content-security-policy']), /default-src 'self'/);
    }
  });

  it('serves hashed assets with their type, cached for good', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/assets/app-1234.js' });
    assert.equal(res.statusCode, 200);
    assert.equal(res.body, 'console.log(1)');
    assert.match(String(res.headers['content-type']), /^text\/javascript/);
    assert.match(String(res.headers['cache-control']), /immutable/);
  });

  it('never serves a file outside its folder', async () => {
    for (const url of ['/../secret.txt', '/assets/..%2f..%2fsecret.txt', '/%2e%2e/secret.txt', '/assets/%00x']) {
      const res = await t.app.inject({ method: 'GET', url });
      assert.doesNotMatch(res.body, /outside web\/dist/, url);
    }
  });

  it('keeps the API JSON 404 for unknown /api paths', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/nope' });
    assert.equal(res.statusCode, 404);
    assert.match(res.json().message, /not found/);
  });

  it('says how to build the UI when web/dist is missing', async () => {
    const res = await unbuilt.app.inject({ method: 'GET', url: '/' });
    assert.equal(res.statusCode, 503);
    assert.match(res.body, /npm run build:web/);
  });
});
