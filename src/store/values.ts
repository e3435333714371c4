// Conversions between record values and column values shared by every repo.

/** JSON text for a column; `undefined` is stored as JSON null. */
export function toJson(value: unknown): string {
  return value === undefined ? 'null' : JSON.stringify(value);
}

export function fromJson<T>(text: string, where: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new Error(`store: column ${where} holds invalid JSON (${(err as Error).message}); expected the JSON this store wrote`);
  }
}

export function fromNullableJson<T>(text: string | null, where: string): T | null {
  return text === null ? null : fromJson<T>(text, where);
}

/**
 * Canonical ISO-8601 UTC form (`2026-01-02T03:04:05.678Z`), so that text order is time order
 * in both databases ('...05Z' and '...05.000Z' would otherwise sort apart).
 */
export function isoTimestamp(value: string, field: string): string {
  const t = Date.parse(value);
  if (Number.isNaN(t)) {
    throw new TypeError(`store: ${field} must be an ISO-8601 timestamp, got ${JSON.stringify(value)}`);
  }
  return new Date(t).toISOString();
}

export function isoTimestampOrNull(value: string | null, field: string): string | null {
  return value === null ? null : isoTimestamp(value, field);
}

export function nowIso(): string {
  return new Date().toISOString();
}

export function numberOrNull(value: number | string | null): number | null {
  return value === null ? null : Number(value);
}

/** Case-insensitive key used by the unique indexes and the by-name lookups. */
export function nameKey(name: string): string {
  return name.toLowerCase();
}

/** Drops `undefined` entries so an update sets only what the patch names. */
export function definedOnly<T extends object>(patch: T): Partial<T> {
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<T>;
}
