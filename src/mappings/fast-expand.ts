// The hot path of merging: a template is checked in one pass over its characters (no regex,
// no closure), the verdict memoized, and then expanded by concatenation. It accepts only the
// common, unambiguous case; anything else returns null and the caller runs the full checks of
// tokens.ts (expandSlow), which accept what is legitimate and name what is not.
//
// Why the result cannot escape: the template is absolute and normalized, has no `.`/`..`
// segment and only known tokens; the values were checked once per resolution
// (assertTokenContext): a username is 1-64 of [A-Za-z0-9._@+-] and not `.`/`..`, ids are
// UUIDs. No value holds `/`, and no value is empty, `.` or `..`, so substitution can neither
// add a segment nor turn one into `.`/`..`; the text before the first token is copied
// unchanged, so the result starts with the fixed prefix.

import { BoundedMemo } from './bounded-memo.js';

/** Token values, already validated, ids lowercased. */
export interface CheckedTokenValues {
  username: string;
  user_id: string;
  image_id: string;
}

const SLASH = 47;
const DOT = 46;
const OPEN = 123;
const CLOSE = 125;

const USERNAME = 0;
const USER_ID = 1;
const IMAGE_ID = 2;

/** A clean template with tokens: the text between tokens, and which token goes in each gap. */
export interface TokenTemplate {
  parts: string[];
  tokens: number[];
}

/** A checked template: `true` = clean and token-free; parts/tokens = clean with tokens; null = slow path. */
export type Compiled = true | TokenTemplate | null;

/**
 * Templates recur (every launch resolves the same documents), and checking one is a walk over
 * its characters, so the verdict is memoized by the template's text.
 */
const compiledTemplates = new BoundedMemo<string, Compiled>(50_000);

/** For benchmarks: measure the cost without the memo. */
export function clearExpansionCache(): void {
  compiledTemplates.clear();
}

function compile(template: string): Compiled {
  const length = template.length;
  if (length < 2 || template.charCodeAt(0) !== SLASH) return null;
  const parts: string[] = [];
  const tokens: number[] = [];
  let copiedUpTo = 0;
  let segmentStart = 1;
  for (let i = 1; i <= length; i++) {
    const c = i < length ? template.charCodeAt(i) : SLASH;
    if (c === SLASH) {
      const segmentLength = i - segmentStart;
      if (segmentLength === 0) return null; // "//" or a trailing "/"
      if (template.charCodeAt(segmentStart) === DOT && (segmentLength === 1 || (segmentLength === 2 && template.charCodeAt(segmentStart + 1) === DOT))) return null;
      segmentStart = i + 1;
    } else if (c < 32 || c > 126 || c === CLOSE) {
      return null; // control or non-ASCII (the full check decides), or a stray "}"
    } else if (c === OPEN) {
      const end = template.indexOf('}', i);
      let token = -1;
      if (end - i === 8 && template.startsWith('{user_id}', i)) token = USER_ID;
      else if (end - i === 9 && template.startsWith('{username}', i)) token = USERNAME;
      else if (end - i === 9 && template.startsWith('{image_id}', i)) token = IMAGE_ID;
      if (token < 0) return null;
      parts.push(template.slice(copiedUpTo, i));
      tokens.push(token);
      copiedUpTo = end + 1;
      i = end;
    }
  }
  if (tokens.length === 0) return true;
  parts.push(template.slice(copiedUpTo));
  return { parts, tokens };
}

/** The memoized verdict on a template (see Compiled). */
export function compiledTemplate(template: string): Compiled {
  return compiledTemplates.get(template, compile);
}

/** Substitutes the values into a template that compiled with tokens. */
export function expandCompiled(compiled: TokenTemplate, values: CheckedTokenValues): string {
  // parts[0] is the template up to its first token, so the result starts with the fixed prefix.
  const { parts, tokens } = compiled;
  let out = parts[0]!;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    out += (token === USERNAME ? values.username : token === USER_ID ? values.user_id : values.image_id) + parts[i + 1]!;
  }
  return out;
}

export function expandFast(template: string, values: CheckedTokenValues): string | null {
  const compiled = compiledTemplate(template);
  if (compiled === null) return null;
  if (compiled === true) return template;
  return expandCompiled(compiled, values);
}
