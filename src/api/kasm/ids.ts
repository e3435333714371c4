// Ids as Kasm writes them: 32 lower-case hexadecimal characters without dashes. Tether's ids
// are UUIDs; the same value in either form names the same record, so integrations that
// stored Kasm-style ids keep working and Tether's dashed form is accepted too.

const KASM_ID = /^[0-9a-f]{32}$/i;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A Tether UUID in Kasm's form. */
export function toKasmId(uuid: string): string {
  return uuid.replace(/-/g, '').toLowerCase();
}

/** The Tether UUID a Kasm-style or dashed id names; null when it is neither. */
export function fromKasmId(id: string): string | null {
  if (UUID.test(id)) return id.toLowerCase();
  if (!KASM_ID.test(id)) return null;
  const h = id.toLowerCase();
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Kasm's form of an id that may be absent. */
export const kasmIdOrNull = (uuid: string | null | undefined): string | null => (uuid ? toKasmId(uuid) : null);
