// The meta key/value table: facts about the store itself (e.g. the instance id).
import type { MetaRepo } from '../types.js';
import type { RepoContext } from './repo-context.js';

export const INSTANCE_ID_KEY = 'instance_id';

export function createMetaRepo(ctx: RepoContext): MetaRepo {
  const { db } = ctx;
  const get = async (key: string): Promise<string | undefined> =>
    (await db.selectFrom('meta').select('value').where('key', '=', key).executeTakeFirst())?.value;
  return {
    get,
    async set(key, value) {
      await db.insertInto('meta').values({ key, value }).onConflict((oc) => oc.column('key').doUpdateSet({ value })).execute();
    },
    async setIfAbsent(key, value) {
      // ON CONFLICT DO NOTHING on both dialects: a concurrent first use keeps the first value
      await db.insertInto('meta').values({ key, value }).onConflict((oc) => oc.column('key').doNothing()).execute();
      const stored = await get(key);
      if (stored === undefined) throw new Error(`store: meta key "${key}" missing right after it was written`);
      return stored;
    },
  };
}
