// Secrets stored in the database, sealed under a key kept outside it.
export { createSecretBox, type SecretBox } from './secret-box.js';
export { seal, unseal, isSealed, SealedSecretError } from './sealed.js';
export { sealRegistryAuth, unsealRegistryAuth } from './registry-auth.js';
export { keyFromBase64, loadOrCreateKeyFile, loadSecretKey, SecretKeyError, SECRET_KEY_FILE, SECRET_KEY_BYTES, type SecretKeySource } from './secret-key.js';
