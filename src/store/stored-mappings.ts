// Volume-mapping documents and group settings as the store hands them out: parsed from their
// JSON text at every read, a plain value each caller owns (changing one changes nothing else).
import type { MappingDocument } from '../mappings/index.js';
import type { GroupSettings } from './types.js';
import { fromJson } from './values.js';

export function storedMappings(text: string, where: string): MappingDocument {
  return fromJson<MappingDocument>(text, where);
}

export function storedGroupSettings(text: string, where: string): GroupSettings {
  return fromJson<GroupSettings>(text, where);
}
