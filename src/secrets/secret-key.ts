// The key that seals secrets stored in the database (registry credentials). It lives OUTSIDE
// the database, so a copy of the database alone reveals nothing: either TETHER_SECRET_KEY
// (base64 of 32 bytes, read by config.ts) or the file `secret.key` in Tether's data
// directory, created on first use with mode 0600. Synchronous on purpose: it is read once
// per process, from a local file, and its users (encrypt/decrypt) are synchronous.
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export const SECRET_KEY_FILE = 'secret.key';
export const SECRET_KEY_BYTES = 32;

export class SecretKeyError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SecretKeyError';
  }
}

/** Decodes TETHER_SECRET_KEY: standard or url-safe base64 of exactly 32 bytes. */
export function keyFromBase64(text: string, where = 'TETHER_SECRET_KEY'): Buffer {
  const trimmed = text.trim();
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)) throw new SecretKeyError(`${where}: not base64; expected the base64 of ${SECRET_KEY_BYTES} random bytes (e.g. \`openssl rand -base64 32\`)`);
  const key = Buffer.from(trimmed.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (key.length !== SECRET_KEY_BYTES) throw new SecretKeyError(`${where}: decodes to ${key.length} bytes; expected ${SECRET_KEY_BYTES} (e.g. \`openssl rand -base64 32\`)`);
  return key;
}

function readKeyFile(path: string): Buffer {
  const key = readFileSync(path);
  if (key.length !== SECRET_KEY_BYTES) throw new SecretKeyError(`secret key file ${path}: holds ${key.length} bytes; expected exactly ${SECRET_KEY_BYTES} raw bytes`);
  return key;
}

/**
 * `<dataDir>/secret.key`, created (32 random bytes, mode 0600, exclusive create so two
 * processes starting at once agree on one key) when it does not exist yet.
 */
export function loadOrCreateKeyFile(dataDir: string): Buffer {
  const path = join(dataDir, SECRET_KEY_FILE);
  try {
    return readKeyFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw wrap(err, path);
  }
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const fd = openSync(path, 'wx', 0o600);
    try {
      const key = randomBytes(SECRET_KEY_BYTES);
      writeSync(fd, key);
      return key;
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    // another process created it between our read and our create: use theirs
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return readKeyFile(path);
    throw wrap(err, path);
  }
}

function wrap(err: unknown, path: string): Error {
  if (err instanceof SecretKeyError) return err;
  return new SecretKeyError(`secret key file ${path}: ${(err as Error).message}; expected a readable file of ${SECRET_KEY_BYTES} bytes (or set TETHER_SECRET_KEY)`, { cause: err });
}

/** Where the key comes from: TETHER_SECRET_KEY when set, else the data directory's file. */
export interface SecretKeySource {
  dataDir: string;
  /** base64, from config.secretKey */
  keyBase64?: string | undefined;
}

export function loadSecretKey(source: SecretKeySource): Buffer {
  return source.keyBase64 !== undefined ? keyFromBase64(source.keyBase64) : loadOrCreateKeyFile(source.dataDir);
}
