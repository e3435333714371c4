// The public facade of the pure volume-mapping domain. Import from here, not from the files.
export type * from './types.js';
export { MappingDomainError, type MappingDomainErrorCode } from './errors.js';
export { parseMappingDocument, formatMappingError, placeIn } from './parse.js';
export { validateMappingValue, MAPPING_KEYS, DEFAULTS } from './validate.js';
export { validateUsername, isUuid, fixedPrefix, expandTokens, TOKEN_NAMES, type TokenName } from './tokens.js';
export { normalizePath } from './paths.js';
export {
  DEFAULT_DENIED_PATHS, DEFAULT_DENIED_EXACT, HOME_ROOTS, PROTECTED_BINDS, DEFAULT_POLICY, bindRefusal, checkHostPath, checkDocumentPolicy, compilePolicy, type HostPathVerdict,
} from './policy.js';
export { resolveEffectiveMounts, resolveWithTemplates, describeSource, type ResolveInput, type Resolution } from './merge.js';
export { ownershipDisagreements, type OtherDocument } from './ownership-check.js';
export { mappingsDigest, documentDigest } from './digest.js';
export {
  PROFILE_MODES, DEFAULT_PROFILE_HOME, DEFAULT_PROFILE_TIMEOUT, MAX_PROFILE_TIMEOUT, DEFAULT_PROFILE_OWNER, parseProfileMode, profilePathProblems, profileHomeProblem,
  profileOwner, profileMount, profileLabel, type ProfileMode, type ProfileSettings,
} from './profile.js';
