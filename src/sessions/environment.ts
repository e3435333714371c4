// Environment variables a launch adds to the session's container (Kasm's request_kasm
// `environment`). The API validates them with the same rules first; a bad one reaching
// here is a caller's bug, so it throws.

/** A POSIX-style variable name: letters, digits and underscores, not starting with a digit. */
export const ENVIRONMENT_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,255}$/;
export const MAX_ENVIRONMENT_VARIABLES = 100;
export const MAX_ENVIRONMENT_VALUE_LENGTH = 32 * 1024;

/** NAME=value entries for the engine, in the given order; [] for none. */
export function environmentList(environment: Record<string, string> | undefined): string[] {
  const entries = Object.entries(environment ?? {});
  if (entries.length > MAX_ENVIRONMENT_VARIABLES) throw new TypeError(`environment: at most ${MAX_ENVIRONMENT_VARIABLES} variables`);
  return entries.map(([name, value]) => {
    if (!ENVIRONMENT_NAME.test(name)) throw new TypeError(`environment: invalid variable name ${JSON.stringify(name)}`);
    if (typeof value !== 'string' || value.includes('\0') || value.length > MAX_ENVIRONMENT_VALUE_LENGTH) {
      throw new TypeError(`environment.${name}: expected text without NUL, at most ${MAX_ENVIRONMENT_VALUE_LENGTH} characters`);
    }
    return `${name}=${value}`;
  });
}
