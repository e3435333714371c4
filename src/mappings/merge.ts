// Merging (spec section 5): the effective mounts of one session of one image for one user.
// One way: every template expanded and checked, every mapping sorted by bind, the first of
// each bind's run mounted, at every call (merge-general.ts). Nothing is remembered between
// calls: a caller that wants to reuse a result keys it by the documents' content (see
// mappingsDigest, documentDigest).
import { resolveGeneral } from './merge-general.js';
import { rankedSources, type Resolution } from './merge-rules.js';
import { compilePolicy } from './policy.js';
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
  // Expanded paths are clean by construction (checked by expandSimple or expandChecked).
  const check = input.policy ? compilePolicy(input.policy, { pathsAreClean: true }) : null;
  return resolveGeneral(rankedSources(input.image, input.groups), tokens, values, check);
}
