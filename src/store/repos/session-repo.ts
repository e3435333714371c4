import type { Selectable, Updateable } from 'kysely';
import type { EffectiveMountsView } from '../../mappings/types.js';
import { translateConstraints } from '../constraint-errors.js';
import type { SessionsTable } from '../schema.js';
import type { MountsBasis, SessionNode, SessionPlacement, SessionFailure, SessionRecord, SessionRepo, SessionState, SessionWarning } from '../types.js';
import { definedOnly, fromJson, fromNullableJson, isoTimestamp, isoTimestampOrNull, nowIso, toJson } from '../values.js';
import type { RepoContext } from './repo-context.js';
import { hasNul } from '../nul-guard-plugin.js';

type SessionPatch = Partial<Omit<SessionRecord, 'session_id' | 'created_at'>>;

function sessionFromRow(r: Selectable<SessionsTable>): SessionRecord {
  return {
    session_id: r.session_id,
    user_id: r.user_id,
    image_id: r.image_id,
    state: r.state as SessionState,
    container_id: r.container_id,
    host: r.host,
    mounts: fromNullableJson<EffectiveMountsView>(r.mounts, `sessions.mounts of ${r.session_id}`),
    warnings: fromJson<SessionWarning[]>(r.warnings, `sessions.warnings of ${r.session_id}`),
    error: fromNullableJson<SessionFailure>(r.error, `sessions.error of ${r.session_id}`),
    mappings_digest: r.mappings_digest,
    // absent rather than null when not recorded, so records written without it read back equal
    ...(r.mounts_basis === null ? {} : { mounts_basis: fromJson<MountsBasis>(r.mounts_basis, `sessions.mounts_basis of ${r.session_id}`) }),
    ...(r.node === null ? {} : { node: fromJson<SessionNode>(r.node, `sessions.node of ${r.session_id}`) }),
    ...(r.placement === null ? {} : { placement: fromJson<SessionPlacement>(r.placement, `sessions.placement of ${r.session_id}`) }),
    created_at: r.created_at,
    updated_at: r.updated_at,
    expires_at: r.expires_at,
  };
}

/** The columns a patch sets; updated_at defaults to now. */
function columnsOf(patch: SessionPatch): Updateable<SessionsTable> {
  const p = definedOnly(patch);
  const set: Updateable<SessionsTable> = { updated_at: isoTimestamp(p.updated_at ?? nowIso(), 'session.updated_at') };
  if (p.user_id !== undefined) set.user_id = p.user_id;
  if (p.image_id !== undefined) set.image_id = p.image_id;
  if (p.state !== undefined) set.state = p.state;
  if (p.container_id !== undefined) set.container_id = p.container_id;
  if (p.host !== undefined) set.host = p.host;
  if (p.mounts !== undefined) set.mounts = p.mounts === null ? null : toJson(p.mounts);
  if (p.warnings !== undefined) set.warnings = toJson(p.warnings);
  if (p.error !== undefined) set.error = p.error === null ? null : toJson(p.error);
  if (p.mappings_digest !== undefined) set.mappings_digest = p.mappings_digest;
  if (p.mounts_basis !== undefined) set.mounts_basis = p.mounts_basis === null ? null : toJson(p.mounts_basis);
  if (p.node !== undefined) set.node = p.node === null ? null : toJson(p.node);
  if (p.placement !== undefined) set.placement = p.placement === null ? null : toJson(p.placement);
  if (p.expires_at !== undefined) set.expires_at = isoTimestampOrNull(p.expires_at, 'session.expires_at');
  return set;
}

export function createSessionRepo(ctx: RepoContext): SessionRepo {
  const { db, dialect } = ctx;
  const select = () => db.selectFrom('sessions').selectAll();
  return {
    async create(s) {
      const rules = { unique: { session_id: { field: 'session_id', message: `a session with id ${s.session_id} already exists` } } };
      await translateConstraints(dialect, rules, () =>
        db
          .insertInto('sessions')
          .values({
            session_id: s.session_id,
            user_id: s.user_id,
            image_id: s.image_id,
            state: s.state,
            container_id: s.container_id,
            host: s.host,
            mounts: s.mounts === null ? null : toJson(s.mounts),
            warnings: toJson(s.warnings),
            error: s.error === null ? null : toJson(s.error),
            mappings_digest: s.mappings_digest,
            mounts_basis: s.mounts_basis ? toJson(s.mounts_basis) : null,
            node: s.node ? toJson(s.node) : null,
            placement: s.placement ? toJson(s.placement) : null,
            created_at: isoTimestamp(s.created_at, 'session.created_at'),
            updated_at: isoTimestamp(s.updated_at, 'session.updated_at'),
            expires_at: isoTimestampOrNull(s.expires_at, 'session.expires_at'),
          })
          .execute(),
      );
    },
    async get(sessionId) {
      if (hasNul(sessionId)) return undefined; // nothing stored can hold U+0000
      const r = await select().where('session_id', '=', sessionId).executeTakeFirst();
      return r && sessionFromRow(r);
    },
    async list(filter = {}) {
      let q = select();
      if (filter.user_id !== undefined) q = q.where('user_id', '=', filter.user_id);
      if (filter.states !== undefined) {
        if (filter.states.length === 0) return [];
        q = q.where('state', 'in', filter.states);
      }
      return (await q.orderBy('created_at').orderBy('session_id').execute()).map(sessionFromRow);
    },
    async update(sessionId, patch) {
      await db.updateTable('sessions').set(columnsOf(patch)).where('session_id', '=', sessionId).execute();
    },
    async transition(sessionId, from, patch) {
      if (from.length === 0) return false;
      // One statement: the database decides which of two racing transitions wins.
      const res = await db
        .updateTable('sessions')
        .set(columnsOf(patch))
        .where('session_id', '=', sessionId)
        .where('state', 'in', from)
        .executeTakeFirst();
      return res.numUpdatedRows > 0n;
    },
  };
}
