// Valid records for store tests, unique per call (random ids and names) so tests sharing a
// database do not collide. Override any field.
import { randomUUID } from 'node:crypto';
import { defaultGroupSettings } from '../../src/store/system-groups.js';
import type { AuditRecord, GroupRecord, ImageRecord, SessionRecord, TokenRecord, UserRecord } from '../../src/store/types.js';

const T0 = '2026-01-02T03:04:05.678Z';
const suffix = () => randomUUID().slice(0, 8);
let nextPriority = 10_000 + Math.floor(Math.random() * 1000) * 1000;

export function makeUser(o: Partial<UserRecord> = {}): UserRecord {
  return { user_id: randomUUID(), username: `user-${suffix()}`, password_hash: 'scrypt$abc$def', disabled: false, created_at: T0, updated_at: T0, ...o };
}

export function makeGroup(o: Partial<GroupRecord> = {}): GroupRecord {
  return { group_id: randomUUID(), name: `group-${suffix()}`, priority: nextPriority++, system: false, settings: defaultGroupSettings(), created_at: T0, updated_at: T0, ...o };
}

export function makeImage(o: Partial<ImageRecord> = {}): ImageRecord {
  return {
    image_id: randomUUID(),
    name: `image-${suffix()}`,
    friendly_name: 'Ubuntu Desktop',
    docker_image: 'registry.local:5000/ubuntu:22.04',
    volume_mappings: {},
    persistent_profile_path: null,
    user: null,
    cores: null,
    memory: null,
    enabled: true,
    groups: [],
    security: {},
    web_port: null,
    registry_auth_encrypted: null,
    created_at: T0,
    updated_at: T0,
    ...o,
  };
}

export function makeToken(userId: string, o: Partial<TokenRecord> = {}): TokenRecord {
  return {
    token_id: randomUUID(),
    user_id: userId,
    kind: 'api',
    name: `token-${suffix()}`,
    digest: randomUUID().replace(/-/g, '') + randomUUID().replace(/-/g, ''),
    created_at: T0,
    expires_at: null,
    revoked_at: null,
    last_used_at: null,
    ...o,
  };
}

export function makeAudit(o: Partial<AuditRecord> = {}): AuditRecord {
  return {
    audit_id: randomUUID(),
    at: T0,
    actor_id: null,
    actor_name: 'system',
    action: 'image.create',
    target_type: 'image',
    target_id: randomUUID(),
    target_name: null,
    before: null,
    after: null,
    ...o,
  };
}

export function makeSession(o: Partial<SessionRecord> = {}): SessionRecord {
  return {
    session_id: randomUUID(),
    user_id: randomUUID(),
    image_id: randomUUID(),
    state: 'requested',
    container_id: null,
    host: null,
    mounts: null,
    warnings: [],
    error: null,
    mappings_digest: null,
    created_at: T0,
    updated_at: T0,
    expires_at: null,
    ...o,
  };
}
