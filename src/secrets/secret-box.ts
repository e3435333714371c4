// What the API and the session manager hold: seal/open registry credentials under the key,
// loaded (or created) on first use so a server that never stores a secret never makes a key.
import type { RegistryAuth } from '../runtime/types.js';
import { sealRegistryAuth, unsealRegistryAuth } from './registry-auth.js';
import { loadSecretKey, type SecretKeySource } from './secret-key.js';

export interface SecretBox {
  sealRegistryAuth(auth: RegistryAuth): string;
  /** throws with a message saying why (wrong key, tampered value) */
  openRegistryAuth(sealed: string): RegistryAuth;
}

export function createSecretBox(source: SecretKeySource | (() => Buffer)): SecretBox {
  let key: Buffer | undefined;
  const keyNow = (): Buffer => (key ??= typeof source === 'function' ? source() : loadSecretKey(source));
  return {
    sealRegistryAuth: (auth) => sealRegistryAuth(keyNow(), auth),
    openRegistryAuth: (sealed) => {
      try {
        return unsealRegistryAuth(keyNow(), sealed);
      } catch (err) {
        throw new Error(`cannot decrypt the image's registry credentials: ${(err as Error).message}`, { cause: err });
      }
    },
  };
}
