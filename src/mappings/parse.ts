// parseMappingDocument: JSON text (with duplicate-key detection) or an already-parsed value.
import { parseJsonText } from './json-text.js';
import { DOCUMENT_LOCATION, formatLocation, pointerOf } from './location.js';
import type { MappingError, ParseResult, TextPosition } from './types.js';
import { validateMappingEntries, validateMappingValue } from './validate.js';

export function parseMappingDocument(input: string | unknown): ParseResult {
  if (typeof input !== 'string') return validateMappingValue(input);
  const parsed = parseJsonText(input);
  if (!parsed.ok) return { ok: false, errors: [{ location: DOCUMENT_LOCATION, path: [], message: parsed.message, line: parsed.line, column: parsed.column }] };
  const errors: MappingError[] = parsed.duplicates.map((dup) => ({
    location: formatLocation([...dup.path, dup.key]),
    path: [...dup.path, dup.key],
    line: dup.line,
    message:
      `the key ${JSON.stringify(dup.key)} appears more than once in this object (lines ${dup.firstLine} and ${dup.line}); ` +
      'expected each key once (a plain JSON parser would silently keep only the last)',
  }));
  const validated = parsed.rootEntries ? validateMappingEntries(parsed.rootEntries) : validateMappingValue(parsed.value);
  if (!validated.ok) errors.push(...validated.errors.map((e) => placeIn(parsed.positions, e)));
  if (errors.length > 0) return { ok: false, errors };
  return validated.ok ? { ...validated, positions: parsed.positions } : validated;
}

/** The error with the line and column of its key in the text, when it has none yet and the key is there. */
export function placeIn(positions: ReadonlyMap<string, TextPosition> | undefined, e: MappingError): MappingError {
  const at = e.line === undefined ? positions?.get(pointerOf(e.path)) : undefined;
  return at ? { ...e, ...at } : e;
}

export function formatMappingError(error: MappingError): string {
  return `${error.location}: ${error.message}`;
}
