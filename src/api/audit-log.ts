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

/** A call made with an API key (the Kasm-compatible API) is audited under the key's name. */
export interface ApiKeyActor {
  apiKey: { api_key_id: string; name: string };
}

/** How the audit log names an API key: `apikey:<name>`, never mistaken for a username. */
export const apiKeyActorName = (name: string): string => `apikey:${name}`;

export async function writeAudit(tx: Store, actor: Principal | ApiKeyActor | null, at: Date, e: AuditEvent): Promise<void> {
  const key = actor !== null && 'apiKey' in actor ? actor.apiKey : undefined;
  const user = actor !== null && 'user' in actor ? actor.user : undefined;
  await tx.audit.append({
    audit_id: randomUUID(),
    at: at.toISOString(),
    actor_id: key?.api_key_id ?? user?.user_id ?? null,
    actor_name: key ? apiKeyActorName(key.name) : user?.username ?? '(system)',
    action: e.action,
    target_type: e.target_type,
    target_id: e.target_id,
    target_name: e.target_name,
    before: e.before ?? null,
    after: e.after ?? null,
  });
}
