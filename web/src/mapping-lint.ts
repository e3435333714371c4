// Validate-as-you-type for volume-mapping documents with the server's own parser (the pure
// mappings domain, bundled): same rules, same messages. Each problem carries its place as
// data (a path into the document, and the line and column of its key in the text), from
// the parser here and from the server alike: nothing is read back out of message strings.
import { parseMappingDocument, formatMappingError } from '../../src/mappings/index.js';
import { DOCUMENT_LOCATION } from '../../src/mappings/location.js';
import { parseJsonText } from '../../src/mappings/json-text.js';
import type { FieldValidation } from '../../src/api/wire/index.js';

export interface LintProblem { line: number; location: string; message: string; text: string }
export interface LintResult { ok: boolean; problems: LintProblem[] }

export function lintMappings(text: string): LintResult {
  if (text.trim() === '') return { ok: true, problems: [] };
  const result = parseMappingDocument(text);
  if (result.ok) return { ok: true, problems: [] };
  const problems = result.errors.map((e) => ({ line: e.line ?? 1, location: e.location, message: e.message, text: formatMappingError(e) }));
  return { ok: false, problems: problems.sort((a, b) => a.line - b.line) };
}

/**
 * The server's problems with the document sent as FIELD (its JSON pointer, e.g.
 * /settings/volume_mappings), placed in TEXT: at the line the server gives, else at the
 * key its pointer names, else on line 1.
 */
export function serverProblems(validations: FieldValidation[], fieldPointer: string, text: string): LintProblem[] {
  const parsed = parseJsonText(text);
  const field = fieldPointer.slice(1).split('/').join('.');
  return validations.map((v) => {
    const inDocument = v.pointer?.startsWith(fieldPointer) ? v.pointer.slice(fieldPointer.length) : undefined;
    const line = v.line ?? (parsed.ok && inDocument ? parsed.positions.get(inDocument)?.line : undefined) ?? 1;
    // the field named as the document's own errors are: `"/x".uid` rather than `volume_mappings."/x".uid`
    const location = v.field === field ? DOCUMENT_LOCATION : v.field.slice(field.length + 1);
    return { line, location, message: v.detail, text: `${location}: ${v.detail}` };
  });
}
