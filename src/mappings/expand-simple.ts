// The hot path of merging: a simple template (absolute, clean, printable ASCII, known tokens)
// is checked and expanded in one pass over its characters (no regex, no closure, nothing
// remembered between calls). Anything else returns null and the caller runs the full checks
// of tokens.ts (expandChecked), which accept what is legitimate and name what is not.
//
// Why the result cannot escape: the template is absolute and normalized, has no `.`/`..`
// segment and only known tokens; the values were checked once per resolution
// (assertTokenContext): a username is 1-64 of [A-Za-z0-9._@+-] and not `.`/`..`, ids are
// UUIDs. No value holds `/`, and no value is empty, `.` or `..`, so substitution can neither
// add a segment nor turn one into `.`/`..`; the text before the first token is copied
// unchanged, so the result starts with the fixed prefix.

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

/** The expansion of a simple template, or null when the full checks must decide. */
export function expandSimple(template: string, values: CheckedTokenValues): string | null {
  const length = template.length;
  if (length < 2 || template.charCodeAt(0) !== SLASH) return null;
  let out = '';
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
      let value: string;
      if (end - i === 8 && template.startsWith('{user_id}', i)) value = values.user_id;
      else if (end - i === 9 && template.startsWith('{username}', i)) value = values.username;
      else if (end - i === 9 && template.startsWith('{image_id}', i)) value = values.image_id;
      else return null;
      out += template.slice(copiedUpTo, i) + value;
      copiedUpTo = end + 1;
      i = end;
    }
  }
  return copiedUpTo === 0 ? template : out + template.slice(copiedUpTo);
}
