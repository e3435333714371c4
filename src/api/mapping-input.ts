// A mapping document arriving in a request body (object, or JSON text whose duplicate keys
// are detected): parsed, validated and checked against the host-path policy before anything
// is stored. Every problem is reported, each located under the body field it came from.
import { checkDocumentPolicy, parseMappingDocument, placeIn } from '../mappings/index.js';
import type { HostPathPolicy, MappingDocument, MappingError } from '../mappings/types.js';
import { DOCUMENT_LOCATION, pointerOf } from '../mappings/location.js';
import type { FieldValidation } from './wire/index.js';

/** `settings.volume_mappings` + the error's place: the field for people, the pointer (and line/column in the text sent) as data. */
function locate(field: string, e: MappingError): FieldValidation {
  const where = e.location === DOCUMENT_LOCATION ? field : `${field}.${e.location}`;
  const pointer = pointerOf([...field.split('.'), ...e.path]);
  return { field: where, detail: e.message, pointer, ...(e.line !== undefined ? { line: e.line } : {}), ...(e.column !== undefined ? { column: e.column } : {}) };
}

/** The normalized document, or every validation problem (field-prefixed). */
export function parseMappingInput(
  field: string,
  input: unknown,
  policy: HostPathPolicy,
): { ok: true; document: MappingDocument } | { ok: false; validations: FieldValidation[] } {
  const parsed = parseMappingDocument(input as string);
  if (!parsed.ok) return { ok: false, validations: parsed.errors.map((e) => locate(field, e)) };
  const policyErrors = checkDocumentPolicy(parsed.document, policy);
  if (policyErrors.length > 0) return { ok: false, validations: policyErrors.map((e) => locate(field, placeIn(parsed.positions, e))) };
  return { ok: true, document: parsed.document };
}
