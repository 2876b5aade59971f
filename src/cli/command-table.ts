import type { Command } from 'commander';
import { connectAdmin } from './admin-connection.js';
import { registerAliases } from './commands/aliases.js';
import { registerAuth } from './commands/auth.js';
import { registerConfig } from './commands/config.js';
import { registerExec } from './commands/exec.js';
import { registerKeys } from './commands/keys.js';
import { registerLogin } from './commands/login.js';
import { registerLogout } from './commands/logout.js';
import { registerModels } from './commands/models.js';
import { registerProbe } from './commands/probe.js';
import { registerReplay } from './commands/replay.js';
import { registerServe } from './commands/serve.js';
import { registerTail } from './commands/tail.js';
import { registerUsage } from './commands/usage.js';
import type { CommandContext } from './run-cli.js';

/** Every subcommand, one line each; each file registers its own flags. */
export const COMMANDS: ReadonlyArray<(program: Command, context: CommandContext) => void> = [
  registerExec,
  registerConfig,
  registerLogin,
  registerLogout,
  registerAuth,
  registerModels,
  registerAliases,
  registerServe,
  registerProbe,
  (program, context) => registerKeys(program, context, connectAdmin),
  (program, context) => registerUsage(program, context, connectAdmin),
  registerReplay,
  registerTail,
];
