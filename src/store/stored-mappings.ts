// Volume-mapping documents as the store hands them out: parsed once per distinct text and
// frozen, so every read of an unchanged image or group returns the same document object. The
// mappings domain prepares a frozen document once and reuses the work at every launch
// (src/mappings/merge-plan.ts); a fresh copy per read would make every launch start over.
// Changing a mapping writes new text, which is a new key here: nothing stale is ever served.
import { BoundedMemo, freezeMappingDocument, type MappingDocument } from '../mappings/index.js';
import type { GroupSettings } from './types.js';
import { fromJson } from './values.js';

/** By JSON text. Bounded: when full, the oldest entry goes (a re-read parses it again; nothing else changes). */
const documents = new BoundedMemo<string, MappingDocument>(1024);
const groupSettings = new BoundedMemo<string, GroupSettings>(1024);

/** The frozen document for this JSON text (as stored), parsed on first sight. */
export function storedMappings(text: string, where: string): MappingDocument {
  return documents.get(text, () => freezeMappingDocument(fromJson<MappingDocument>(text, where)));
}

/**
 * Group settings: a fresh object per read (callers may change its fields), sharing the frozen
 * volume-mapping document as above. The other fields are numbers, booleans and null.
 */
export function storedGroupSettings(text: string, where: string): GroupSettings {
  const shared = groupSettings.get(text, () => {
    const settings = fromJson<GroupSettings>(text, where);
    if (settings.volume_mappings !== null && typeof settings.volume_mappings === 'object') {
      settings.volume_mappings = freezeMappingDocument(settings.volume_mappings);
    }
    return settings;
  });
  return { ...shared };
}
