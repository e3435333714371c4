// Group settings from a request body: typed by the route schema (schemas.ts: unknown settings
// and wrong types are 400 there); here the volume-mapping document is parsed and
// policy-checked, and a partial update is merged over the current settings.
import type { GroupSettings } from '../store/types.js';
import type { HostPathPolicy } from '../mappings/types.js';
import { badRequest } from './http-error.js';
import { parseMappingInput } from './mapping-input.js';
import type { GroupSettingsInput } from './schemas.js';

export function mergeGroupSettings(current: GroupSettings, input: GroupSettingsInput, policy: HostPathPolicy): GroupSettings {
  const next: GroupSettings = { ...current };
  if (input.allow_persistent_profile !== undefined) next.allow_persistent_profile = input.allow_persistent_profile;
  if (input.max_sessions_per_user !== undefined) next.max_sessions_per_user = input.max_sessions_per_user;
  if (input.session_time_limit !== undefined) next.session_time_limit = input.session_time_limit;
  if (input.volume_mappings !== undefined) {
    const parsed = parseMappingInput('settings.volume_mappings', input.volume_mappings, policy);
    if (!parsed.ok) throw badRequest('invalid volume mappings; nothing was changed', { validations: parsed.validations });
    next.volume_mappings = parsed.document;
  }
  return next;
}
