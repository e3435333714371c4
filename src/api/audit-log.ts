// One audit entry per change, written with the Store bound to the change's transaction so
// the entry exists exactly when the change does.
import { randomUUID } from 'node:crypto';
import type { Store } from '../store/types.js';
import type { Principal } from './types.js';

export interface AuditEvent {
  action: string;
  target_type: string;
  target_id: string | null;
  target_name: string | null;
  before?: unknown;
  after?: unknown;
}

export async function writeAudit(tx: Store, actor: Principal | null, at: Date, e: AuditEvent): Promise<void> {
  await tx.audit.append({
    audit_id: randomUUID(),
    at: at.toISOString(),
    actor_id: actor?.user.user_id ?? null,
    actor_name: actor?.user.username ?? '(system)',
    action: e.action,
    target_type: e.target_type,
    target_id: e.target_id,
    target_name: e.target_name,
    before: e.before ?? null,
    after: e.after ?? null,
  });
}
