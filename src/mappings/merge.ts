// Merging (spec section 5): the effective mounts of one session of one image for one user.
// Two ways, one result: merge-plan.ts reuses what does not depend on the user (frozen
// documents only); merge-general.ts resolves from scratch and handles every other case.
import { BoundedMemo } from './bounded-memo.js';
import { resolveGeneral } from './merge-general.js';
import { resolvePlanned } from './merge-plan.js';
import { rankedSources, type Resolution } from './merge-rules.js';
import { compilePolicy, type HostPathVerdict } from './policy.js';
import { assertTokenContext } from './tokens.js';
import type { EffectiveMountsView, HostPathPolicy, MappingDocument, TokenContext } from './types.js';

export { describeSource, type Resolution } from './merge-rules.js';

export interface ResolveInput {
  image: { name: string; volume_mappings: MappingDocument };
  groups: Array<{ name: string; priority: number; volume_mappings: MappingDocument }>;
  tokens: TokenContext;
  /** when given, every expanded host path must pass it (launch-time check) */
  policy?: HostPathPolicy;
}

/** Compiled checkers by policy content: a server passes the same policy at every launch. */
const checkers = new BoundedMemo<string, (path: string) => HostPathVerdict>(16);

function checkerFor(policy: HostPathPolicy): { key: string; check: (path: string) => HostPathVerdict } {
  const key = JSON.stringify([policy.extraDenied, policy.allowedRoots]);
  // Expanded paths are clean by construction (checked by expandFast or expandSlow).
  const check = checkers.get(key, () => compilePolicy(policy, { pathsAreClean: true }));
  return { key, check };
}

/**
 * Image mappings plus every group's, keyed by expanded bind: the image beats any group,
 * a lower group priority number beats a higher one. Mounts are sorted by bind. Deterministic
 * whatever the order of `groups`. Throws MappingDomainError naming the source and key when a
 * path cannot expand safely or (with a policy) is refused.
 */
export function resolveEffectiveMounts(input: ResolveInput): EffectiveMountsView {
  return resolveWithTemplates(input).view;
}

/**
 * The same, plus for each mount the host-path key of its source document (tokens kept):
 * host preparation needs its fixed prefix.
 */
export function resolveWithTemplates(input: ResolveInput): Resolution {
  const tokens = input.tokens;
  assertTokenContext(tokens, 'tokens');
  const values = { username: tokens.username, user_id: tokens.user_id.toLowerCase(), image_id: tokens.image_id.toLowerCase() };
  const policy = input.policy ? checkerFor(input.policy) : null;
  const sources = rankedSources(input.image, input.groups);
  return resolvePlanned(sources, values, policy) ?? resolveGeneral(sources, tokens, values, policy?.check ?? null);
}
