// API keys of the Kasm-compatible API: a public half (`api_key`, 12 letters and digits, sent
// with every call to find the key) and a secret (`api_key_secret`, 32 letters and digits,
// about 190 bits), shaped like Kasm's so integrations that check lengths keep working. Only
// the secret's hex SHA-256 is stored (a fast hash is right for a high-entropy secret checked
// on every call), compared in constant time.
import { createHash, randomInt, timingSafeEqual } from 'node:crypto';
import type { ApiKeyPermission, ApiKeyRecord, Store } from '../store/types.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
export const API_KEY_LENGTH = 12;
export const API_KEY_SECRET_LENGTH = 32;

function randomText(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[randomInt(ALPHABET.length)];
  return out;
}

export function generateApiKey(): { key: string; secret: string; digest: string } {
  const secret = randomText(API_KEY_SECRET_LENGTH);
  return { key: randomText(API_KEY_LENGTH), secret, digest: digestApiKeySecret(secret) };
}

export function digestApiKeySecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

const KEY_SHAPE = /^[A-Za-z0-9]{12}$/;
const SECRET_SHAPE = /^[A-Za-z0-9]{32}$/;

export type ApiKeyAuthResult =
  | { ok: true; key: ApiKeyRecord }
  | { ok: false; reason: 'malformed' | 'unknown' | 'wrong_secret' | 'revoked' | 'expired'; key?: ApiKeyRecord };

/** last_used_at is refreshed at most this often, so reads do not turn into writes. */
const LAST_USED_RESOLUTION_MS = 60_000;

/** Checks a presented key and secret. Nothing is cached: a revocation takes effect on the next call. */
export async function authenticateApiKey(store: Store, key: string, secret: string, now: Date): Promise<ApiKeyAuthResult> {
  if (!KEY_SHAPE.test(key) || !SECRET_SHAPE.test(secret)) return { ok: false, reason: 'malformed' };
  const record = await store.apiKeys.getByKey(key);
  if (!record) return { ok: false, reason: 'unknown' };
  const presented = Buffer.from(digestApiKeySecret(secret), 'hex');
  const stored = Buffer.from(record.digest, 'hex');
  if (presented.length !== stored.length || !timingSafeEqual(presented, stored)) return { ok: false, reason: 'wrong_secret', key: record };
  if (record.revoked_at !== null) return { ok: false, reason: 'revoked', key: record };
  if (record.expires_at !== null && Date.parse(record.expires_at) <= now.getTime()) return { ok: false, reason: 'expired', key: record };
  const lastUsed = record.last_used_at === null ? 0 : Date.parse(record.last_used_at);
  if (now.getTime() - lastUsed >= LAST_USED_RESOLUTION_MS) await store.apiKeys.update(record.api_key_id, { last_used_at: now.toISOString() });
  return { ok: true, key: record };
}

/** What a call needs: one area, and whether it changes anything there. */
export interface ApiKeyNeed {
  permission: ApiKeyPermission;
  write: boolean;
}

/** Why the key may not make this call, or null when it may. */
export function apiKeyRefusal(key: Pick<ApiKeyRecord, 'permissions' | 'read_only'>, need: ApiKeyNeed): string | null {
  if (!key.permissions.includes(need.permission)) return `the API key lacks the "${need.permission}" permission`;
  if (need.write && key.read_only) return `the API key is read-only and this call changes ${need.permission}`;
  return null;
}
