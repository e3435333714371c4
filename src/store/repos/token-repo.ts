import type { Selectable, Updateable } from 'kysely';
import { translateConstraints, type ConstraintRules } from '../constraint-errors.js';
import type { TokensTable, UsersTable } from '../schema.js';
import { ADMINISTRATORS_GROUP_ID } from '../system-groups.js';
import type { TokenCredential, TokenKind, TokenRecord, TokenRepo } from '../types.js';
import { isoTimestamp, isoTimestampOrNull } from '../values.js';
import type { RepoContext } from './repo-context.js';
import { ReusableQuery } from './reusable-query.js';
import { hasNul } from '../nul-guard-plugin.js';
import { userFromRow } from './user-repo.js';

function rules(t: Pick<TokenRecord, 'token_id' | 'user_id'>): ConstraintRules {
  return {
    unique: {
      digest: { field: 'digest', message: 'a token with this digest already exists' },
      token_id: { field: 'token_id', message: `a token with id ${t.token_id} already exists` },
    },
    foreignKey: { field: 'user_id', message: `cannot create a token for user ${t.user_id}: no such user` },
  };
}

function tokenFromRow(r: Selectable<TokensTable>): TokenRecord {
  return {
    token_id: r.token_id,
    user_id: r.user_id,
    kind: r.kind as TokenKind,
    name: r.name,
    digest: r.digest,
    created_at: r.created_at,
    expires_at: r.expires_at,
    revoked_at: r.revoked_at,
    last_used_at: r.last_used_at,
  };
}

/** Token, owner and the owner's admin flag in one statement (see TokenRepo.getCredential). */
function credentialQuery(db: RepoContext['db'], digest: string) {
  return db
    .selectFrom('tokens as t')
    .leftJoin('users as u', 'u.user_id', 't.user_id')
    .select((eb) => [
      't.token_id', 't.user_id', 't.kind', 't.name', 't.digest', 't.created_at', 't.expires_at', 't.revoked_at', 't.last_used_at',
      'u.user_id as owner_user_id', 'u.username as owner_username', 'u.password_hash as owner_password_hash',
      'u.disabled as owner_disabled', 'u.created_at as owner_created_at', 'u.updated_at as owner_updated_at',
      eb.exists(
        eb.selectFrom('group_members as m').select('m.user_id')
          .whereRef('m.user_id', '=', 't.user_id').where('m.group_id', '=', ADMINISTRATORS_GROUP_ID),
      ).as('owner_is_admin'),
    ])
    .where('t.digest', '=', digest);
}

type CredentialRow = Awaited<ReturnType<ReturnType<typeof credentialQuery>['execute']>>[number];

function credentialFromRow(r: CredentialRow): TokenCredential {
  const user = r.owner_user_id === null ? undefined : userFromRow({
    user_id: r.owner_user_id,
    username: r.owner_username as string,
    password_hash: r.owner_password_hash as string,
    disabled: r.owner_disabled as number | boolean,
    created_at: r.owner_created_at as string,
    updated_at: r.owner_updated_at as string,
  } as Selectable<UsersTable>);
  // EXISTS is 0/1 on SQLite, a boolean on PostgreSQL.
  return { token: tokenFromRow(r), user, isAdmin: Boolean(r.owner_is_admin) };
}

export function createTokenRepo(ctx: RepoContext): TokenRepo {
  const { db, dialect } = ctx;
  const credential = new ReusableQuery(db, 1, (q, digest: string) => credentialQuery(q, digest));
  const select = () => db.selectFrom('tokens').selectAll();
  return {
    async create(t) {
      await translateConstraints(dialect, rules(t), () =>
        db
          .insertInto('tokens')
          .values({
            token_id: t.token_id,
            user_id: t.user_id,
            kind: t.kind,
            name: t.name,
            digest: t.digest,
            created_at: isoTimestamp(t.created_at, 'token.created_at'),
            expires_at: isoTimestampOrNull(t.expires_at, 'token.expires_at'),
            revoked_at: isoTimestampOrNull(t.revoked_at, 'token.revoked_at'),
            last_used_at: isoTimestampOrNull(t.last_used_at, 'token.last_used_at'),
          })
          .execute(),
      );
    },
    async getCredential(digest) {
      if (hasNul(digest)) return undefined; // nothing stored can hold U+0000
      const [r] = await credential.execute(digest);
      return r && credentialFromRow(r);
    },
    async get(tokenId) {
      if (hasNul(tokenId)) return undefined; // nothing stored can hold U+0000
      const r = await select().where('token_id', '=', tokenId).executeTakeFirst();
      return r && tokenFromRow(r);
    },
    async list(filter = {}) {
      let q = select();
      if (filter.user_id !== undefined) q = q.where('user_id', '=', filter.user_id);
      if (filter.kind !== undefined) q = q.where('kind', '=', filter.kind);
      return (await q.orderBy('created_at').orderBy('token_id').execute()).map(tokenFromRow);
    },
    async update(tokenId, patch) {
      const set: Updateable<TokensTable> = {};
      if (patch.revoked_at !== undefined) set.revoked_at = isoTimestampOrNull(patch.revoked_at, 'token.revoked_at');
      if (patch.last_used_at !== undefined) set.last_used_at = isoTimestampOrNull(patch.last_used_at, 'token.last_used_at');
      if (Object.keys(set).length === 0) return;
      await db.updateTable('tokens').set(set).where('token_id', '=', tokenId).execute();
    },
  };
}
