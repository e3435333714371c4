// parseMappingDocument: JSON text (with duplicate-key detection) or an already-parsed value.
import { parseJsonText } from './json-text.js';
import { DOCUMENT_LOCATION, formatLocation } from './location.js';
import type { MappingError, ParseResult } from './types.js';
import { validateMappingEntries, validateMappingValue } from './validate.js';

export function parseMappingDocument(input: string | unknown): ParseResult {
  if (typeof input !== 'string') return validateMappingValue(input);
  const parsed = parseJsonText(input);
  if (!parsed.ok) return { ok: false, errors: [{ location: DOCUMENT_LOCATION, message: parsed.message }] };
  const errors: MappingError[] = parsed.duplicates.map((dup) => ({
    location: formatLocation([...dup.path, dup.key]),
    message:
      `the key ${JSON.stringify(dup.key)} appears more than once in this object (lines ${dup.firstLine} and ${dup.line}); ` +
      'expected each key once (a plain JSON parser would silently keep only the last)',
  }));
  const validated = parsed.rootEntries ? validateMappingEntries(parsed.rootEntries) : validateMappingValue(parsed.value);
  if (!validated.ok) errors.push(...validated.errors);
  return errors.length > 0 ? { ok: false, errors } : validated;
}

export function formatMappingError(error: MappingError): string {
  return `${error.location}: ${error.message}`;
}
