// Tokens ({username}, {user_id}, {image_id}) and the names they expand to (spec section 4).
import { MappingDomainError } from './errors.js';
import { isSameOrInside, normalizePath, pathSyntaxProblem } from './paths.js';
import { closestMatch } from './suggest.js';
import type { TokenContext } from './types.js';

export const TOKEN_NAMES = ['username', 'user_id', 'image_id'] as const;
export type TokenName = (typeof TOKEN_NAMES)[number];

const USERNAME = /^[A-Za-z0-9._@+-]{1,64}$/;
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** null when valid; otherwise what is wrong and what is expected. */
export function validateUsername(name: string): string | null {
  if (name.length === 0 || name.length > 64) {
    return `username must be 1 to 64 characters long, got ${name.length}`;
  }
  if (!USERNAME.test(name)) {
    const bad = [...name].find((ch) => !/^[A-Za-z0-9._@+-]$/.test(ch)) ?? '?';
    return `username contains ${JSON.stringify(bad)}; expected only ASCII letters, digits, ".", "_", "@", "+", "-"`;
  }
  if (name === '.' || name === '..') return `username cannot be "${name}"; expected a folder-safe name`;
  return null;
}

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

export interface TemplateScan {
  /** every well-formed `{name}` in order, known or not */
  tokens: string[];
  /** problems: unknown tokens (with did-you-mean), stray braces */
  problems: string[];
}

/** Finds the tokens of a template and everything wrong with them. */
export function scanTemplate(template: string): TemplateScan {
  const tokens: string[] = [];
  const problems: string[] = [];
  const known: readonly string[] = TOKEN_NAMES;
  const rest = template.replace(/\{([^{}]*)\}/g, (_whole, name: string) => {
    tokens.push(name);
    if (!known.includes(name)) {
      const suggestion = closestMatch(name, TOKEN_NAMES);
      problems.push(
        `unknown token {${name}}; expected one of {username}, {user_id}, {image_id}` +
          (suggestion ? `; did you mean "{${suggestion}}"?` : ''),
      );
    }
    return '';
  });
  if (rest.includes('{') || rest.includes('}')) {
    problems.push('unmatched "{" or "}"; braces are only allowed around a token such as {username}');
  }
  return { tokens, problems };
}

export function hasTokens(template: string): boolean {
  return template.includes('{');
}

/** Everything before the first token, cut back to the last complete segment; the whole path without tokens. */
export function fixedPrefix(template: string): string {
  const brace = template.indexOf('{');
  if (brace < 0) return template;
  const slash = template.lastIndexOf('/', brace);
  if (slash <= 0) return '/';
  const prefix = template.slice(0, slash);
  return prefix.includes('//') || prefix.endsWith('/') ? normalizePath(prefix) : prefix;
}

/** Throws unless every value of the context is acceptable. */
export function assertTokenContext(ctx: TokenContext, location?: string): void {
  const usernameProblem = validateUsername(ctx.username);
  if (usernameProblem) throw new MappingDomainError('invalid_token_value', usernameProblem, location);
  for (const key of ['user_id', 'image_id'] as const) {
    if (!isUuid(ctx[key])) {
      throw new MappingDomainError('invalid_token_value', `${key} ${JSON.stringify(ctx[key])} is not a UUID; expected e.g. "0b6c3a52-6f1e-4d8e-9a53-2f1c7d9e4a10"`, location);
    }
  }
}

/** Substitution only: the caller has validated the context and the template. */
export function substituteTokens(template: string, ctx: TokenContext): string {
  let out = template;
  if (out.includes('{username}')) out = out.replaceAll('{username}', ctx.username);
  if (out.includes('{user_id}')) out = out.replaceAll('{user_id}', ctx.user_id.toLowerCase());
  if (out.includes('{image_id}')) out = out.replaceAll('{image_id}', ctx.image_id.toLowerCase());
  return out;
}

/** Expands after every check of the template and the result, with errors naming `location`. */
export function expandChecked(template: string, ctx: TokenContext, location: string): string {
  assertTemplate(template, location);
  if (!template.includes('{')) return normalizePath(template);
  return assertExpansionContained(template, substituteTokens(template, ctx), location);
}

/** Checks a finished expansion: clean, and still inside the template's fixed prefix. */
export function assertExpansionContained(template: string, expanded: string, location?: string): string {
  const normalized = normalizePath(expanded);
  const prefix = fixedPrefix(template);
  const problem = pathSyntaxProblem(normalized, 'expanded path');
  if (problem) throw new MappingDomainError('escapes_prefix', problem, location);
  if (!isSameOrInside(normalized, prefix) || (normalized === prefix && hasTokens(template))) {
    throw new MappingDomainError('escapes_prefix', `expanded path ${JSON.stringify(normalized)} is not beneath its fixed prefix ${JSON.stringify(prefix)}`, location);
  }
  return normalized;
}

/** Throws unless the template is a well-formed absolute path with only known tokens. */
export function assertTemplate(template: string, location?: string): void {
  const syntax = pathSyntaxProblem(template, 'path');
  if (syntax) throw new MappingDomainError('invalid_template', syntax, location);
  const { problems } = scanTemplate(template);
  if (problems.length > 0) throw new MappingDomainError('invalid_template', problems.join('; '), location);
}

/**
 * Expands the tokens of a host path or bind for one user and image. Validates the values
 * first and proves afterwards that the result stays inside the template's fixed prefix.
 */
export function expandTokens(template: string, ctx: TokenContext): string {
  assertTemplate(template);
  assertTokenContext(ctx);
  return assertExpansionContained(template, substituteTokens(template, ctx));
}
