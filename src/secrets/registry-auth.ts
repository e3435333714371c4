// Registry credentials of an image, sealed as one JSON value (username, password and
// server together, so none can be swapped for another image's).
import type { RegistryAuth } from '../runtime/types.js';
import { seal, unseal } from './sealed.js';

export function sealRegistryAuth(key: Buffer, auth: RegistryAuth): string {
  const clean: RegistryAuth = { username: auth.username, password: auth.password };
  if (auth.serveraddress !== undefined) clean.serveraddress = auth.serveraddress;
  return seal(key, JSON.stringify(clean));
}

export function unsealRegistryAuth(key: Buffer, sealed: string): RegistryAuth {
  const text = unseal(key, sealed);
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new Error('registry credentials: decrypted, but not JSON; expected {"username","password","serveraddress"?}');
  }
  const o = v as Partial<RegistryAuth> | null;
  if (!o || typeof o.username !== 'string' || typeof o.password !== 'string' || (o.serveraddress !== undefined && typeof o.serveraddress !== 'string')) {
    throw new Error('registry credentials: decrypted, but not {"username","password","serveraddress"?} strings');
  }
  return o.serveraddress === undefined ? { username: o.username, password: o.password } : { username: o.username, password: o.password, serveraddress: o.serveraddress };
}
