// Multi-host: a session records the node it runs on ({id, hostname, zone}) and why it was
// placed there ({reason, tried}); an image may be restricted to zones (a list; null = any).
// Null on rows from before: a session on the single engine, an image that runs anywhere.
// The session states gain `lost` (its node went down or was cut off): the state check is
// widened, on SQLite by rebuilding the table (it cannot alter a CHECK constraint).
import { sql, type Kysely, type Migration } from 'kysely';
import type { StoreDialect } from '../dialect.js';

// Migrations must not depend on the app's current types: the states of this schema's time.
const SESSION_STATES = ['requested', 'preparing', 'starting', 'running', 'stopping', 'destroyed', 'failed', 'lost'];
const STATES_BEFORE = ['requested', 'preparing', 'starting', 'running', 'stopping', 'destroyed', 'failed'];

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

const COLUMNS = ['session_id', 'user_id', 'image_id', 'state', 'container_id', 'host', 'mounts', 'warnings', 'error', 'mappings_digest', 'created_at', 'updated_at', 'expires_at', 'mounts_basis', 'node', 'placement'];

async function setStateCheck(db: AnyDb, dialect: StoreDialect, states: string[]): Promise<void> {
  const check = sql`state in (${sql.join(states.map((s) => sql.lit(s)))})`;
  if (dialect.name === 'postgres') {
    await db.schema.alterTable('sessions').dropConstraint('sessions_state_check').execute();
    await db.schema.alterTable('sessions').addCheckConstraint('sessions_state_check', check).execute();
    return;
  }
  await db.schema
    .createTable('sessions_new')
    .addColumn('session_id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('image_id', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('container_id', 'text')
    .addColumn('host', 'text')
    .addColumn('mounts', 'text')
    .addColumn('warnings', 'text', (c) => c.notNull())
    .addColumn('error', 'text')
    .addColumn('mappings_digest', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text')
    .addColumn('mounts_basis', 'text')
    .addColumn('node', 'text')
    .addColumn('placement', 'text')
    .addCheckConstraint('sessions_state_check', check)
    .execute();
  const cols = sql.join(COLUMNS.map((c) => sql.id(c)));
  await sql`insert into sessions_new (${cols}) select ${cols} from sessions`.execute(db);
  await db.schema.dropTable('sessions').execute();
  await db.schema.alterTable('sessions_new').renameTo('sessions').execute();
  await db.schema.createIndex('sessions_user_idx').on('sessions').column('user_id').execute();
  await db.schema.createIndex('sessions_state_idx').on('sessions').column('state').execute();
}

export function sessionPlacementMigration(dialect: StoreDialect): Migration {
  return {
    async up(db: AnyDb) {
      await db.schema.alterTable('sessions').addColumn('node', 'text').execute();
      await db.schema.alterTable('sessions').addColumn('placement', 'text').execute();
      await db.schema.alterTable('images').addColumn('zones', 'text').execute();
      await setStateCheck(db, dialect, SESSION_STATES);
    },
    async down(db: AnyDb) {
      // a lost session cannot be kept in the older schema: it ended as far as it knows
      await db.updateTable('sessions').set({ state: 'failed' }).where('state', '=', 'lost').execute();
      await setStateCheck(db, dialect, STATES_BEFORE);
      await db.schema.alterTable('images').dropColumn('zones').execute();
      await db.schema.alterTable('sessions').dropColumn('placement').execute();
      await db.schema.alterTable('sessions').dropColumn('node').execute();
    },
  };
}
