// The one error body of the API: { message, detail?, validations? }. A validation names its
// field the way people read it (`volume_mappings."/x".uid`) and, as data for programs, where
// it is: `pointer` (RFC 6901, into the request body) and, for a problem in JSON text the
// request carried (a mapping document sent as a string), its `line` and `column` there.
import { z } from 'zod';

export const FieldValidation = z.object({
  field: z.string(),
  detail: z.string(),
  pointer: z.string().optional().describe('JSON pointer (RFC 6901) into the request body, e.g. /volume_mappings/~1x/uid'),
  line: z.number().int().optional().describe('1-based line in the JSON text the field carried (a mapping document sent as a string)'),
  column: z.number().int().optional().describe('1-based column on that line'),
});
export type FieldValidation = z.infer<typeof FieldValidation>;

export const ErrorBody = z.object({
  message: z.string(),
  detail: z.string().optional(),
  validations: z.array(FieldValidation).optional(),
});
export type ErrorBody = z.infer<typeof ErrorBody>;
