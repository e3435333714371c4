import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { defaultGroupSettings, MAX_SESSION_TIME_LIMIT, MAX_SESSIONS_PER_USER } from '../store/system-groups.js';
import type { GroupRecord, ImageRecord } from '../store/types.js';
import { DEFAULT_MAX_SESSIONS, imageAccessProblem, maxSessionsFor, timeLimitFor } from './group-rules.js';

const T = '2026-01-01T00:00:00.000Z';
const group = (id: string, max: number, limit: number | null): GroupRecord => ({
  group_id: id, name: id, priority: 1, system: false, settings: { ...defaultGroupSettings(), max_sessions_per_user: max, session_time_limit: limit }, created_at: T, updated_at: T,
});
const image = (o: Partial<ImageRecord>): ImageRecord => ({
  image_id: 'i', name: 'desk', friendly_name: 'd', docker_image: 'x', volume_mappings: {}, persistent_profile_path: null, user: null, cores: null, memory: null,
  enabled: true, groups: [], web_port: null, registry_auth_encrypted: null, created_at: T, updated_at: T, ...o,
});

describe('group rules', () => {
  it('max sessions: the largest across groups; the default without groups', () => {
    assert.equal(maxSessionsFor([group('a', 5, null), group('b', 20, null), group('c', 1, null)]), 20);
    assert.equal(maxSessionsFor([]), DEFAULT_MAX_SESSIONS);
  });
  it('time limit: the smallest set limit; null when none', () => {
    assert.equal(timeLimitFor([group('a', 5, 3600), group('b', 5, null), group('c', 5, 600)]), 600);
    assert.equal(timeLimitFor([group('a', 5, null)]), null);
  });
  it('a value stored before the bounds is clamped: 2^53 seconds gives an expiry a Date can hold', () => {
    const limit = timeLimitFor([group('a', 5, 2 ** 53)]);
    assert.equal(limit, MAX_SESSION_TIME_LIMIT);
    assert.doesNotThrow(() => new Date(Date.now() + limit! * 1000).toISOString());
    assert.equal(maxSessionsFor([group('a', 2 ** 53, null)]), MAX_SESSIONS_PER_USER);
  });
  it('image access: enabled, and open to everyone or to one of the user groups', () => {
    assert.equal(imageAccessProblem(image({}), []), null);
    assert.equal(imageAccessProblem(image({ groups: ['b'] }), [group('a', 5, null), group('b', 5, null)]), null);
    assert.match(imageAccessProblem(image({ groups: ['z'] }), [group('a', 5, null)]) ?? '', /open only to members/);
    assert.match(imageAccessProblem(image({ enabled: false }), []) ?? '', /disabled/);
  });
});
