// The one error type the mappings domain throws (parse/validate never throw: they return
// every problem as data; only expansion, merging and policy at launch time throw).

export type MappingDomainErrorCode =
  /** a token value (username, user_id, image_id) is not acceptable */
  | 'invalid_token_value'
  /** the template itself is malformed (unknown token, stray brace, bad syntax) */
  | 'invalid_template'
  /** after expansion the path left its template's fixed prefix or gained a `.`/`..` segment */
  | 'escapes_prefix'
  /** the expanded host path is refused by the host-path safety policy */
  | 'policy';

export class MappingDomainError extends Error {
  override readonly name = 'MappingDomainError';
  constructor(
    readonly code: MappingDomainErrorCode,
    message: string,
    /** where: e.g. `group "devs" (priority 10) "/mnt/{username}".bind` */
    readonly location?: string,
  ) {
    super(location ? `${location}: ${message}` : message);
  }
}
