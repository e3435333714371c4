// Secrets stored in the database, sealed under a key kept outside it.
export { createSecretBox, type SecretBox } from './secret-box.js';
export { seal, unseal, SealedSecretError } from './sealed.js';
export { sealRegistryAuth } from './registry-auth.js';
export { keyFromBase64, loadOrCreateKeyFile, loadSecretKey, SECRET_KEY_FILE, type SecretKeySource } from './secret-key.js';
