// Persistent profiles (spec section 9), the pure part: the launch modes, the checks an image's
// profile settings pass at save time, and the profile as one more effective mount (source
// `profile`) that host preparation treats exactly like a volume mapping.
import { compilePolicy, bindRefusal } from './policy.js';
import { normalizePath, pathSyntaxProblem } from './paths.js';
import { expandTokens, fixedPrefix, scanTemplate } from './tokens.js';
import type { EffectiveMount, HostPathPolicy, TokenContext } from './types.js';

export const PROFILE_MODES = ['enabled', 'disabled', 'reset'] as const;
export type ProfileMode = (typeof PROFILE_MODES)[number];

/** Where the profile is mounted when the image says nothing: Kasm's images' home. */
export const DEFAULT_PROFILE_HOME = '/home/user';
/** Seconds host preparation may take for the profile, as for a mapping. */
export const DEFAULT_PROFILE_TIMEOUT = 10;
export const MAX_PROFILE_TIMEOUT = 600;
/** The profile's owner when the image runs as its own (unknown) user: Kasm's images' uid. */
export const DEFAULT_PROFILE_OWNER = 1000;

/** `enabled`, `Enabled`, `ENABLED` ... (Kasm sends capitalized values); null when unknown. */
export function parseProfileMode(text: string): ProfileMode | null {
  const lower = text.trim().toLowerCase();
  return (PROFILE_MODES as readonly string[]).includes(lower) ? (lower as ProfileMode) : null;
}

/**
 * Everything wrong with a profile path template, [] when it is acceptable: an absolute clean
 * path, known tokens only, {username} or {user_id} present (so each user gets their own
 * folder), and the safety policy on its fixed prefix and on the template itself.
 */
export function profilePathProblems(template: string, policy: HostPathPolicy): string[] {
  const syntax = pathSyntaxProblem(template, 'persistent profile path');
  if (syntax) return [syntax];
  const problems = [...scanTemplate(template).problems];
  const tokens = scanTemplate(template).tokens;
  if (!tokens.includes('username') && !tokens.includes('user_id')) {
    problems.push(
      `persistent profile path ${JSON.stringify(template)} has no {username} or {user_id}: every user would share one profile; ` +
        'expected e.g. "/srv/tether/profiles/{username}/{image_id}"',
    );
  }
  if (problems.length > 0) return problems;
  const check = compilePolicy(policy);
  for (const candidate of [fixedPrefix(template), normalizePath(template)]) {
    const verdict = check(candidate);
    if (!verdict.ok) {
      const which = candidate === fixedPrefix(template) ? 'its fixed prefix (the part before the first token): ' : '';
      return [`${which}${verdict.reason}; ${verdict.suggestion}`];
    }
  }
  return [];
}

/** Why a profile_home is refused, or null: an absolute clean container path, not "/" nor a system view. */
export function profileHomeProblem(home: string): string | null {
  const syntax = pathSyntaxProblem(home, 'profile_home');
  if (syntax) return syntax;
  const normal = normalizePath(home);
  if (normal === '/') return 'profile_home cannot be "/"; expected the session user\'s home such as "/home/user"';
  if (scanTemplate(normal).tokens.length > 0 || normal.includes('{') || normal.includes('}')) return 'profile_home takes no tokens; expected a fixed container path such as "/home/user"';
  return bindRefusal(normal);
}

export interface ProfileSettings {
  /** the image's persistent_profile_path (template) */
  template: string;
  /** container path; default DEFAULT_PROFILE_HOME */
  home: string;
  /** the session's uid:gid, or the default owner */
  uid: number;
  gid: number;
  /** seconds */
  timeout: number;
}

/** The owner of a profile: the image's "uid:gid" user, else 1000:1000. */
export function profileOwner(user: string | null): { uid: number; gid: number } {
  const m = /^(\d{1,10}):(\d{1,10})$/.exec(user ?? '');
  if (!m) return { uid: DEFAULT_PROFILE_OWNER, gid: DEFAULT_PROFILE_OWNER };
  return { uid: Number(m[1]), gid: Number(m[2]) };
}

/**
 * The profile as an effective mount for one user. Throws MappingDomainError when the template
 * cannot be expanded or its expansion leaves the fixed prefix; the caller applies the policy.
 */
export function profileMount(settings: ProfileSettings, tokens: TokenContext, imageName: string): EffectiveMount {
  const hostPath = expandTokens(settings.template, tokens);
  return {
    host_path: hostPath,
    bind: normalizePath(settings.home),
    mode: 'rw',
    uid: settings.uid,
    gid: settings.gid,
    required: true,
    timeout: settings.timeout,
    skip_check: false,
    source: { kind: 'profile', name: imageName, priority: null },
  };
}

/** How errors and warnings name the profile, like a mapping's `<key> -> <bind>`. */
export function profileLabel(template: string, home: string): string {
  return `persistent profile ${template} -> ${normalizePath(home)}`;
}
