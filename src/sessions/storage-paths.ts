// The host paths the storage health check looks at: the fixed prefix (the part before the
// first token) of every host path in every image's and group's mapping document and of every
// persistent profile path, each with the mappings that use it. Pure.
import { fixedPrefix, normalizePath } from '../mappings/index.js';
import type { GroupRecord, ImageRecord } from '../store/types.js';
import type { StorageUse } from './storage-report.js';

export interface StoragePath {
  /** the fixed prefix: what every host sees before any token is expanded */
  path: string;
  used_by: StorageUse[];
}

export function storagePaths(images: ImageRecord[], groups: GroupRecord[]): StoragePath[] {
  const byPath = new Map<string, StorageUse[]>();
  const add = (hostPath: string, use: Omit<StorageUse, 'host_path'>) => {
    const path = normalizePath(fixedPrefix(hostPath));
    const uses = byPath.get(path) ?? [];
    if (!uses.some((u) => u.kind === use.kind && u.name === use.name && u.host_path === hostPath)) uses.push({ ...use, host_path: hostPath });
    byPath.set(path, uses);
  };
  for (const image of images) {
    for (const hostPath of Object.keys(image.volume_mappings)) add(hostPath, { kind: 'image', name: image.name });
    if (image.persistent_profile_path !== null) add(image.persistent_profile_path, { kind: 'profile', name: image.name });
  }
  for (const group of groups) {
    for (const hostPath of Object.keys(group.settings.volume_mappings)) add(hostPath, { kind: 'group', name: group.name });
  }
  return [...byPath].map(([path, used_by]) => ({ path, used_by })).sort((a, b) => a.path.localeCompare(b.path));
}
