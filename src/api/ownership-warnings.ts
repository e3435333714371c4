// Warnings for a saved mapping document: host paths that another image or group gives a
// different uid/gid (see mappings/ownership-check.ts). A warning, not a refusal: each document
// is valid alone, and an administrator moving a share to a new owner changes one document,
// then the other; a refusal would make that order matter and block the first step.
import { ownershipDisagreements, type MappingDocument, type OtherDocument } from '../mappings/index.js';
import type { Store } from '../store/types.js';

export async function ownershipWarnings(store: Store, doc: MappingDocument, self: { kind: 'image' | 'group'; id: string }): Promise<string[]> {
  if (Object.keys(doc).length === 0) return [];
  const others: OtherDocument[] = [];
  for (const image of await store.images.list()) {
    if (self.kind !== 'image' || image.image_id !== self.id) others.push({ label: `image ${JSON.stringify(image.name)}`, doc: image.volume_mappings });
  }
  for (const group of await store.groups.list()) {
    if (self.kind !== 'group' || group.group_id !== self.id) {
      others.push({ label: `group ${JSON.stringify(group.name)} (priority ${group.priority})`, doc: group.settings.volume_mappings });
    }
  }
  return ownershipDisagreements(doc, others);
}

/** The saved object, with `warnings` only when there are some (so a clean save looks as before). */
export function withWarnings<T extends object>(body: T, warnings: string[]): T & { warnings?: string[] } {
  return warnings.length > 0 ? { ...body, warnings } : body;
}
