// A session as the API shows it (GET /sessions, /sessions/{id}; POST /sessions answers with
// one), and its progress events (GET /sessions/{id}/events).
import { z } from 'zod';
import { SESSION_EVENT_TYPES, SESSION_STATES } from '../../sessions/vocabulary.js';
import { EffectiveMountsView } from './mounts.js';

/** a warning (a mapping left out) or the error that failed the launch */
export const SessionProblem = z.object({ mapping: z.string(), class: z.string(), message: z.string() });
export type SessionProblem = z.infer<typeof SessionProblem>;

export const Session = z.object({
  id: z.string(),
  state: z.enum(SESSION_STATES),
  user: z.object({ id: z.string(), username: z.string().nullable() }),
  image: z.object({
    id: z.string(), name: z.string().nullable(),
    web_port: z.number().int().nullable().describe('where the image\'s web app listens (6901: a noVNC desktop); null = none or the image is gone'),
  }),
  container_id: z.string().nullable(),
  mounts: EffectiveMountsView.nullable().describe('what was actually mounted (left-out mounts are in warnings)'),
  warnings: z.array(SessionProblem),
  error: SessionProblem.nullable(),
  created_at: z.string(),
  updated_at: z.string(),
  expires_at: z.string().nullable(),
  drift: z.boolean().nullable().describe('running sessions: whether what the mounts were computed from changed since launch; null otherwise'),
  node: z.object({ id: z.string(), hostname: z.string(), zone: z.string().nullable() }).nullable()
    .describe('the swarm node it runs (or ran) on; null on the single engine or before placement'),
  placement: z.object({ reason: z.string(), tried: z.array(z.object({ node: z.string(), outcome: z.string() })) }).nullable()
    .describe('why it runs there: the choice and every node tried; null before placement and on the single engine'),
});
export type Session = z.infer<typeof Session>;

/** GET /sessions/{id}?explain=1: what changed since launch, and what the mounts would be today */
export const DriftExplanation = z.object({
  drift: z.boolean(),
  changes: z.array(z.string()).describe('what changed since launch, one sentence each'),
  mounts_now: EffectiveMountsView.nullable().describe('the effective mounts a launch would get today (only when drifted and the merge succeeds)'),
  error: z.string().nullable().describe('why today\'s merge fails, when it does'),
});
export type DriftExplanation = z.infer<typeof DriftExplanation>;

export const ExplainedSession = Session.extend({ drift_explanation: DriftExplanation.nullable().describe('with ?explain=1; null when not running').optional() });
export type ExplainedSession = z.infer<typeof ExplainedSession>;

/** POST /sessions/{id}/app-token: the entry link to the session's web app (60 s, used once): open `url` */
export const AppEntry = z.object({ url: z.string(), origin: z.string(), token: z.string(), expires_in: z.number().int() });
export type AppEntry = z.infer<typeof AppEntry>;

export const SessionEvent = z.object({ seq: z.number().int(), type: z.enum(SESSION_EVENT_TYPES), at: z.string(), data: z.record(z.unknown()) });
export type SessionEvent = z.infer<typeof SessionEvent>;
