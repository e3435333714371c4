// Volume-mapping documents as the store hands them out: parsed once per distinct text and
// frozen, so every read of an unchanged image or group returns the same document object. The
// mappings domain prepares a frozen document once and reuses the work at every launch
// (src/mappings/merge-plan.ts); a fresh copy per read would make every launch start over.
// Changing a mapping writes new text, which is a new key here: nothing stale is ever served.
import { freezeMappingDocument, type MappingDocument } from '../mappings/index.js';
import type { GroupSettings } from './types.js';
import { fromJson } from './values.js';

const byText = new Map<string, MappingDocument>();
const LIMIT = 1024;

/** The frozen document for this JSON text (as stored), parsed on first sight. */
export function storedMappings(text: string, where: string): MappingDocument {
  let doc = byText.get(text);
  if (doc === undefined) {
    doc = freezeMappingDocument(fromJson<MappingDocument>(text, where));
    if (byText.size >= LIMIT) byText.delete(byText.keys().next().value!); // the oldest
    byText.set(text, doc);
  } else {
    // most recently used last, so the oldest is the least recently used
    byText.delete(text);
    byText.set(text, doc);
  }
  return doc;
}

/** Group settings with their volume mappings shared as above (the other fields are fresh). */
export function storedGroupSettings(text: string, where: string): GroupSettings {
  const settings = fromJson<GroupSettings>(text, where);
  if (settings.volume_mappings !== null && typeof settings.volume_mappings === 'object') {
    settings.volume_mappings = storedMappings(JSON.stringify(settings.volume_mappings), `${where}.volume_mappings`);
  }
  return settings;
}
