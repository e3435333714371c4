// Sealing a secret for storage: AES-256-GCM, a fresh random 12-byte IV per value, the
// 16-byte tag authenticating it. Stored as `v1:<iv>:<tag>:<ciphertext>` (base64url), the
// version prefix leaving room for another scheme or key later.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { SECRET_KEY_BYTES } from './secret-key.js';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class SealedSecretError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SealedSecretError';
  }
}

function checkKey(key: Buffer): void {
  if (key.length !== SECRET_KEY_BYTES) throw new SealedSecretError(`secret key: ${key.length} bytes; expected ${SECRET_KEY_BYTES}`);
}

export function seal(key: Buffer, plaintext: string): string {
  checkKey(key);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [VERSION, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ct.toString('base64url')].join(':');
}

/** The plaintext; throws SealedSecretError when the value is malformed, tampered with or sealed under another key. */
export function unseal(key: Buffer, sealed: string): string {
  checkKey(key);
  const parts = sealed.split(':');
  if (parts[0] !== VERSION) throw new SealedSecretError(`sealed secret: unknown format "${(parts[0] ?? '').slice(0, 8)}"; expected "${VERSION}:<iv>:<tag>:<ciphertext>"`);
  const [, ivText = '', tagText = '', ctText = ''] = parts;
  const b64url = /^[A-Za-z0-9_-]*$/;
  const iv = Buffer.from(ivText, 'base64url');
  const tag = Buffer.from(tagText, 'base64url');
  if (parts.length !== 4 || ![ivText, tagText, ctText].every((p) => b64url.test(p)) || iv.length !== IV_BYTES || tag.length !== TAG_BYTES) {
    throw new SealedSecretError(`sealed secret: malformed; expected "${VERSION}:<12-byte iv>:<16-byte tag>:<ciphertext>" in base64url`);
  }
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(Buffer.from(ctText, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    throw new SealedSecretError('sealed secret: authentication failed: it was sealed under another key (secret.key / TETHER_SECRET_KEY changed?) or altered');
  }
}
