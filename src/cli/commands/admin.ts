// `tether admin reset-password`: works on the store directly (no server, no token), for an
// administrator who lost the password. Ends the user's login sessions and is audited.
import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { loadConfig } from '../../config.js';
import { hashPassword } from '../../auth/index.js';
import { action, readStdin, withJsonOption } from '../command-support.js';
import { printJson, printLine, UsageError } from '../output.js';

export function registerAdminCommands(program: Command): void {
  const admin = program.command('admin').description('maintenance on the store itself (run on the server host)');
  withJsonOption(admin.command('reset-password').description('set a user\'s password directly in the store')
    .requiredOption('--username <name>', 'whose password')
    .option('--password-stdin', 'read the new password from stdin (required)')
    .option('--data-dir <dir>', 'data directory (default: TETHER_DATA_DIR or ~/.local/share/tether)')
    .option('--database <url>', 'postgres://... or a SQLite file (default: <data-dir>/tether.db)'))
    .action(action(async (opts: { username: string; passwordStdin?: boolean; dataDir?: string; database?: string; json?: boolean }) => {
      if (!opts.passwordStdin) throw new UsageError('reset-password: pass --password-stdin and pipe the new password in');
      const password = await readStdin('--password-stdin');
      if (password.length < 8) throw new UsageError('reset-password: the password must have at least 8 characters');
      const config = loadConfig({ dataDir: opts.dataDir, database: opts.database });
      const { openStore } = await import('../../store/open-store.js');
      const store = await openStore(config.database);
      try {
        const user = await store.users.getByUsername(opts.username);
        if (!user) throw new Error(`no user "${opts.username}" in ${config.database.includes('://') ? 'the database' : config.database}`);
        const hash = await hashPassword(password);
        const at = new Date().toISOString();
        await store.transaction(async (tx) => {
          await tx.users.update(user.user_id, { password_hash: hash, updated_at: at });
          for (const t of await tx.tokens.list({ user_id: user.user_id, kind: 'login' })) {
            if (t.revoked_at === null) await tx.tokens.update(t.token_id, { revoked_at: at });
          }
          await tx.audit.append({
            audit_id: randomUUID(), at, actor_id: null, actor_name: '(tether admin reset-password)', action: 'user.password',
            target_type: 'user', target_id: user.user_id, target_name: user.username, before: null, after: { password_changed: true },
          });
        });
        if (opts.json) printJson({ username: user.username, user_id: user.user_id, password_reset: true });
        else printLine(`password of ${user.username} reset; their login sessions were ended`);
      } finally {
        await store.close();
      }
    }));
}
