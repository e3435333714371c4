import type { Selectable } from 'kysely';
import { translateConstraints } from '../constraint-errors.js';
import type { AuditTable } from '../schema.js';
import type { AuditRecord, AuditRepo } from '../types.js';
import { fromNullableJson, isoTimestamp, toJson } from '../values.js';
import type { RepoContext } from './repo-context.js';

export const AUDIT_DEFAULT_LIMIT = 100;
export const AUDIT_MAX_LIMIT = 1000;

/** The filter's limit, defaulted and clamped to 1..AUDIT_MAX_LIMIT. */
export function auditLimit(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit)) return AUDIT_DEFAULT_LIMIT;
  return Math.min(Math.max(Math.trunc(limit), 1), AUDIT_MAX_LIMIT);
}

function auditFromRow(r: Selectable<AuditTable>): AuditRecord {
  return {
    audit_id: r.audit_id,
    at: r.at,
    actor_id: r.actor_id,
    actor_name: r.actor_name,
    action: r.action,
    target_type: r.target_type,
    target_id: r.target_id,
    target_name: r.target_name,
    before: fromNullableJson(r.before, `audit.before of ${r.audit_id}`),
    after: fromNullableJson(r.after, `audit.after of ${r.audit_id}`),
  };
}

export function createAuditRepo(ctx: RepoContext): AuditRepo {
  const { db, dialect } = ctx;
  return {
    async append(e) {
      const rules = { unique: { audit_id: { field: 'audit_id', message: `an audit entry with id ${e.audit_id} already exists` } } };
      await translateConstraints(dialect, rules, () =>
        db
          .insertInto('audit')
          .values({
            audit_id: e.audit_id,
            at: isoTimestamp(e.at, 'audit.at'),
            actor_id: e.actor_id,
            actor_name: e.actor_name,
            action: e.action,
            target_type: e.target_type,
            target_id: e.target_id,
            target_name: e.target_name,
            // before/after: any JSON value; undefined is kept as null
            before: e.before === undefined || e.before === null ? null : toJson(e.before),
            after: e.after === undefined || e.after === null ? null : toJson(e.after),
          })
          .execute(),
      );
    },
    async list(filter = {}) {
      let q = db.selectFrom('audit').selectAll();
      if (filter.action !== undefined) q = q.where('action', '=', filter.action);
      if (filter.target_type !== undefined) q = q.where('target_type', '=', filter.target_type);
      if (filter.target_id !== undefined) q = q.where('target_id', '=', filter.target_id);
      if (filter.actor_id !== undefined) q = q.where('actor_id', '=', filter.actor_id);
      if (filter.since !== undefined) q = q.where('at', '>=', isoTimestamp(filter.since, 'audit filter since'));
      const rows = await q.orderBy('at', 'desc').orderBy('seq', 'desc').limit(auditLimit(filter.limit)).execute();
      return rows.map(auditFromRow);
    },
  };
}
