import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSecretBox, keyFromBase64, loadOrCreateKeyFile, loadSecretKey, seal, SealedSecretError, SECRET_KEY_FILE, unseal } from './index.js';

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'tether-secrets-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Flips one bit of one base64url field of a v1 value. */
function flip(sealed: string, field: 1 | 2 | 3): string {
  const parts = sealed.split(':');
  const bytes = Buffer.from(parts[field] as string, 'base64url');
  bytes[0] = (bytes[0] as number) ^ 1;
  parts[field] = bytes.toString('base64url');
  return parts.join(':');
}

describe('sealed secrets (AES-256-GCM)', () => {
  const key = randomBytes(32);

  it('round-trips, in the v1:<iv>:<tag>:<ciphertext> form, with a fresh IV each time', () => {
    const text = 'pässwörd 😀 with : colons';
    const a = seal(key, text);
    const b = seal(key, text);
    assert.match(a, /^v1:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]{22}:[A-Za-z0-9_-]+$/);
    assert.notEqual(a, b, 'two seals of the same text must differ (random IV)');
    assert.notEqual(a.split(':')[1], b.split(':')[1]);
    assert.ok(!a.includes(text) && !a.includes(Buffer.from(text).toString('base64url')));
    assert.equal(unseal(key, a), text);
    assert.equal(unseal(key, seal(key, '')), '');
  });

  it('detects tampering with the IV, the tag or the ciphertext, and a wrong key', () => {
    const s = seal(key, 'secret');
    for (const field of [1, 2, 3] as const) {
      assert.throws(() => unseal(key, flip(s, field)), (e: unknown) => e instanceof SealedSecretError && /authentication failed/.test(e.message), `field ${field}`);
    }
    assert.throws(() => unseal(randomBytes(32), s), /sealed under another key/);
  });

  it('refuses malformed values and bad keys with a clear message', () => {
    for (const bad of ['', 'secret', 'v2:a:b:c', 'v1:a:b', 'v1:!!:b:c', `v1:${'A'.repeat(16)}:${'A'.repeat(22)}:c:d`]) {
      assert.throws(() => unseal(key, bad), SealedSecretError, bad);
    }
    assert.throws(() => seal(randomBytes(16), 'x'), /expected 32/);
  });
});

describe('secret key', () => {
  it('creates secret.key (32 bytes, mode 0600) on first use and reads the same key afterwards', () => withDir(async (dir) => {
    const data = join(dir, 'data');
    const first = loadOrCreateKeyFile(data);
    const st = await stat(join(data, SECRET_KEY_FILE));
    assert.equal(st.mode & 0o777, 0o600);
    assert.equal(first.length, 32);
    assert.deepEqual(await readFile(join(data, SECRET_KEY_FILE)), first);
    assert.deepEqual(loadOrCreateKeyFile(data), first);
  }));

  it('refuses a key file of the wrong size instead of replacing it', () => withDir(async (dir) => {
    await writeFile(join(dir, SECRET_KEY_FILE), 'short');
    assert.throws(() => loadOrCreateKeyFile(dir), /holds 5 bytes; expected exactly 32/);
    assert.equal(await readFile(join(dir, SECRET_KEY_FILE), 'utf8'), 'short');
  }));

  it('TETHER_SECRET_KEY (base64 or base64url of 32 bytes) wins over the file', () => withDir(async (dir) => {
    const k = randomBytes(32);
    assert.deepEqual(loadSecretKey({ dataDir: dir, keyBase64: k.toString('base64') }), k);
    assert.deepEqual(keyFromBase64(k.toString('base64url')), k);
    await assert.rejects(stat(join(dir, SECRET_KEY_FILE)), /ENOENT/, 'no key file is made when the key comes from the environment');
    assert.throws(() => keyFromBase64(randomBytes(16).toString('base64')), /16 bytes; expected 32/);
    assert.throws(() => keyFromBase64('not base64!'), /not base64/);
  }));

  it('a secret box seals registry credentials, loads the key lazily, and says why it cannot open', () => withDir(async (dir) => {
    const box = createSecretBox({ dataDir: dir });
    await assert.rejects(stat(join(dir, SECRET_KEY_FILE)), /ENOENT/, 'the key is made on first use, not before');
    const sealed = box.sealRegistryAuth({ username: 'u', password: 'hunter2', serveraddress: 'reg:5000' });
    assert.ok(!sealed.includes('hunter2'));
    assert.deepEqual(box.openRegistryAuth(sealed), { username: 'u', password: 'hunter2', serveraddress: 'reg:5000' });
    const other = createSecretBox(() => randomBytes(32));
    assert.throws(() => other.openRegistryAuth(sealed), /cannot decrypt the image's registry credentials: .*another key/);
  }));
});
