// The API's JSON, as the web UI reads it: the server's own wire shapes (src/api/wire, the
// schemas its routes serialize with; types only, the bundle does not carry zod).
export type { EffectiveMount, EffectiveMountsView, MountSource } from '../../src/mappings/index.js';
export type { SessionEventType, SessionState } from '../../src/sessions/vocabulary.js';
export type {
  ApiKey, AuditEntry, CreatedApiKey, Group, GroupSettings, Image, Me, MountsAnswer, ProfileOffer, Session, SessionEvent, SessionProblem, User,
} from '../../src/api/wire/index.js';
export type ProfileMode = 'enabled' | 'disabled' | 'reset';
