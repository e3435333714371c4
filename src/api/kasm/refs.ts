// Records named in a Kasm request: by id in Kasm's form or Tether's (users also by
// username, images also by Tether's name). Not found: 404 naming the field.
import type { GroupRecord, ImageRecord, SessionRecord, Store, UserRecord } from '../../store/types.js';
import { findGroup, findImage, findUser } from '../lookup.js';
import { HttpError } from '../http-error.js';
import { fromKasmId } from './ids.js';

const missing = (field: string, value: string, what: string) =>
  new HttpError(404, `${field}: no ${what} "${value}"`, { detail: `${field} takes a ${what} id (32 hexadecimal characters, or Tether's dashed form)` });

export async function userRef(store: Store, field: string, value: string): Promise<UserRecord> {
  const found = await findUser(store, fromKasmId(value) ?? value);
  if (!found) throw missing(field, value, 'user');
  return found;
}

export async function groupRef(store: Store, field: string, value: string): Promise<GroupRecord> {
  const found = await findGroup(store, fromKasmId(value) ?? value);
  if (!found) throw missing(field, value, 'group');
  return found;
}

export async function imageRef(store: Store, field: string, value: string): Promise<ImageRecord> {
  const found = await findImage(store, fromKasmId(value) ?? value);
  if (!found) throw missing(field, value, 'image');
  return found;
}

/** The session (kasm) by id; when user_id is given too, it must be that user's. */
export async function sessionRef(store: Store, kasmId: string, userId?: string): Promise<SessionRecord> {
  const id = fromKasmId(kasmId);
  const rec = id ? await store.sessions.get(id) : undefined;
  if (!rec) throw missing('kasm_id', kasmId, 'kasm');
  if (userId !== undefined && fromKasmId(userId) !== rec.user_id) {
    throw new HttpError(404, `kasm_id: kasm "${kasmId}" does not belong to user_id "${userId}"`, { detail: 'user_id, when given, must be the kasm\'s user' });
  }
  return rec;
}

/** JSON schema of an id field: Kasm's 32 hex characters, a UUID, or (users, images) a name. */
export const idField = { type: 'string', minLength: 1, maxLength: 200 } as const;
