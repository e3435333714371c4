// Path parameters name a user, group or image by id or by name. A UUID is tried as an id
// first, then as a name (a username may itself look like a UUID); anything else is a name
// (usernames and group names are case-insensitive, image names exact).
import type { GroupRecord, ImageRecord, Store, UserRecord } from '../store/types.js';
import { isUuid } from '../mappings/index.js';
import { notFound } from './http-error.js';

async function byIdOrName<T>(ref: string, byId: (id: string) => Promise<T | undefined>, byName: (n: string) => Promise<T | undefined>): Promise<T | undefined> {
  if (isUuid(ref)) {
    const found = await byId(ref.toLowerCase());
    if (found) return found;
  }
  return byName(ref);
}

export async function findUser(store: Store, ref: string): Promise<UserRecord | undefined> {
  return byIdOrName(ref, (id) => store.users.get(id), (n) => store.users.getByUsername(n));
}
export async function findGroup(store: Store, ref: string): Promise<GroupRecord | undefined> {
  return byIdOrName(ref, (id) => store.groups.get(id), (n) => store.groups.getByName(n));
}
export async function findImage(store: Store, ref: string): Promise<ImageRecord | undefined> {
  return byIdOrName(ref, (id) => store.images.get(id), (n) => store.images.getByName(n));
}

export async function requireUser(store: Store, ref: string): Promise<UserRecord> {
  const u = await findUser(store, ref);
  if (!u) throw notFound(`user "${ref}"`);
  return u;
}
export async function requireGroup(store: Store, ref: string): Promise<GroupRecord> {
  const g = await findGroup(store, ref);
  if (!g) throw notFound(`group "${ref}"`);
  return g;
}
export async function requireImage(store: Store, ref: string): Promise<ImageRecord> {
  const i = await findImage(store, ref);
  if (!i) throw notFound(`image "${ref}"`);
  return i;
}
