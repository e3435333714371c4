// The auth layer: passwords, tokens, throttling, permissions.
export { hashPassword, verifyPassword, dummyPasswordHash, generatePassword, DEFAULT_SCRYPT_N } from './password.js';
export { generateTokenSecret, digestToken, looksLikeToken, TOKEN_PREFIX } from './tokens.js';
export { LoginThrottle, DEFAULT_THROTTLE, type ThrottleOptions } from './login-throttle.js';
export { isAdminGroups, activeAdministrators } from './permissions.js';
export { authenticateSecret, type AuthResult, type CredentialLookup } from './authenticate.js';
export { RevocationHub, revokes, type Revocation, type Holder } from './revocations.js';
export { credentialStillValid } from './still-valid.js';
