import type { Selectable } from 'kysely';
import { translateConstraints } from '../constraint-errors.js';
import type { LoginLinksTable } from '../schema.js';
import type { LoginLinkRecord, LoginLinkRepo } from '../types.js';
import { isoTimestamp, isoTimestampOrNull } from '../values.js';
import type { RepoContext } from './repo-context.js';
import { hasNul } from '../nul-guard-plugin.js';

function linkFromRow(r: Selectable<LoginLinksTable>): LoginLinkRecord {
  return {
    link_id: r.link_id, digest: r.digest, user_id: r.user_id, session_id: r.session_id, created_by: r.created_by,
    created_at: r.created_at, expires_at: r.expires_at, used_at: r.used_at,
  };
}

export function createLoginLinkRepo(ctx: RepoContext): LoginLinkRepo {
  const { db, dialect } = ctx;
  return {
    async create(l) {
      await translateConstraints(dialect, { unique: { digest: { field: 'digest', message: 'a login link with this digest already exists' } } }, () =>
        db.insertInto('login_links').values({
          link_id: l.link_id, digest: l.digest, user_id: l.user_id, session_id: l.session_id, created_by: l.created_by,
          created_at: isoTimestamp(l.created_at, 'login_link.created_at'),
          expires_at: isoTimestamp(l.expires_at, 'login_link.expires_at'),
          used_at: isoTimestampOrNull(l.used_at, 'login_link.used_at'),
        }).execute(),
      );
    },
    async consume(digest, now) {
      if (hasNul(digest)) return undefined;
      const at = isoTimestamp(now, 'now');
      // One conditional UPDATE: of two concurrent uses, exactly one changes the row.
      const result = await db.updateTable('login_links').set({ used_at: at })
        .where('digest', '=', digest).where('used_at', 'is', null).where('expires_at', '>', at)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) return undefined;
      const r = await db.selectFrom('login_links').selectAll().where('digest', '=', digest).executeTakeFirst();
      return r && linkFromRow(r);
    },
    async deleteExpired(before) {
      const result = await db.deleteFrom('login_links').where('expires_at', '<', isoTimestamp(before, 'before')).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
