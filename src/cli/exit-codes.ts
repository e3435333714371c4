// Exit codes of the `tether` command, one meaning each, so scripts can tell them apart.
export const ExitCode = {
  ok: 0,
  /** the input is invalid (a document, an argument value, a username): fix the input */
  invalid: 1,
  /** a file could not be read (missing, unreadable, a directory) */
  unreadable: 2,
  /** the server refused the request (4xx/5xx: its message and validations go to stderr) */
  serverError: 1,
  /** bad command line, or the server could not be reached */
  usage: 2,
  /** a check ran and found a problem (`tether storage check`: a path is not shared on every node) */
  unhealthy: 3,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
