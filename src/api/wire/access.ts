// The caller (GET /me), API keys of the Kasm-compatible API, and what GET /effective-mounts answers.
import { z } from 'zod';
import { Group, User } from './records.js';
import { EffectiveMountsView } from './mounts.js';

export const Me = z.object({ user: User, groups: z.array(Group), is_admin: z.boolean() });
export type Me = z.infer<typeof Me>;

/** never its secret */
export const ApiKey = z.object({
  api_key_id: z.string(), name: z.string(), api_key: z.string(), permissions: z.array(z.string()), read_only: z.boolean(),
  created_by: z.string().nullable(), created_at: z.string(), expires_at: z.string().nullable(), revoked_at: z.string().nullable(), last_used_at: z.string().nullable(),
});
export type ApiKey = z.infer<typeof ApiKey>;

/** the answer of POST /api-keys: the only time the secret is ever sent */
export const CreatedApiKey = ApiKey.extend({ api_key_secret: z.string() });
export type CreatedApiKey = z.infer<typeof CreatedApiKey>;

export const ProfileOffer = z.object({
  allowed: z.boolean(),
  reason: z.string().nullable(),
  modes: z.array(z.enum(['enabled', 'disabled', 'reset'])),
  host_path: z.string().nullable(),
  bind: z.string().nullable(),
}).describe('the persistent profile a launch may use: whether it is offered (and why not), the modes, and where it is mounted');
export type ProfileOffer = z.infer<typeof ProfileOffer>;

export const MountsAnswer = EffectiveMountsView.extend({
  image: z.object({ image_id: z.string(), name: z.string() }),
  user: z.object({ user_id: z.string(), username: z.string() }),
  profile: ProfileOffer,
});
export type MountsAnswer = z.infer<typeof MountsAnswer>;
