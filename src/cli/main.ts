#!/usr/bin/env node
// The `tether` command. Each command group lives in its own file under commands/.
import { Command } from 'commander';
import { registerMappingsCommands } from './commands/mappings.js';

const program = new Command();
program.name('tether').description('Disposable container workspaces whose data persists').showHelpAfterError();
registerMappingsCommands(program);

await program.parseAsync(process.argv);
