#!/usr/bin/env node
// The `tether` command. Each command group lives in its own file under commands/.
// Exit codes: 0 ok, 1 the server (or validation) refused, 2 usage or connection error.
import { Command, CommanderError } from 'commander';
import { registerMappingsCommands } from './commands/mappings.js';
import { registerLoginCommand } from './commands/login.js';
import { registerUserCommands } from './commands/user.js';
import { registerGroupCommands } from './commands/group.js';
import { registerImageCommands } from './commands/image.js';
import { registerTokenCommands } from './commands/token.js';
import { registerApiKeyCommands } from './commands/apikey.js';
import { registerMountsCommand } from './commands/mounts.js';
import { registerServerCommand } from './commands/server.js';
import { registerAdminCommands } from './commands/admin.js';
import { registerSessionCommands } from './commands/session.js';
import { registerStorageCommands } from './commands/storage.js';
import { registerNodeCommands } from './commands/node.js';
import { registerAgentCommands } from './commands/agent.js';
import { ExitCode } from './exit-codes.js';

const program = new Command();
// exitOverride before any subcommand exists, so every subcommand inherits it.
program.name('tether').description('Disposable container workspaces whose data persists').showHelpAfterError().exitOverride();
registerMappingsCommands(program);
registerLoginCommand(program);
registerUserCommands(program);
registerGroupCommands(program);
registerImageCommands(program);
registerTokenCommands(program);
registerApiKeyCommands(program);
registerMountsCommand(program);
registerServerCommand(program);
registerAdminCommands(program);
registerSessionCommands(program);
registerStorageCommands(program);
registerNodeCommands(program);
registerAgentCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    // help and --version exit 0; anything else commander rejects is a usage error
    process.exitCode = err.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
  } else {
    process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = ExitCode.usage;
  }
}
