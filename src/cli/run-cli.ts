import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config/config-error.js';
import { NodexError } from '../core/errors.js';
import { COMMANDS } from './command-table.js';
import { type CliIo, EXIT, type ExitCode } from './io.js';
import { UsageError } from './usage-error.js';
import { nodexVersion } from './version.js';

/** Codes that mean the user asked for something that cannot be (exit 2), not that it failed. */
const USAGE_CODES = new Set([
  'invalid_request',
  'model_not_found',
  'config_invalid',
  'unsupported_parameter',
]);

function report(io: CliIo, error: unknown): ExitCode {
  if (error instanceof UsageError || error instanceof ConfigError) {
    io.stderr.write(`error: ${error.message}\n`);
    return EXIT.usage;
  }
  if (NodexError.isInstance(error)) {
    if (error.code === 'aborted') return EXIT.interrupted;
    io.stderr.write(`error: ${error.message} (${error.code})\n`);
    return USAGE_CODES.has(error.code) ? EXIT.usage : EXIT.failure;
  }
  const message = error instanceof Error ? error.message : String(error);
  io.stderr.write(`error: ${message}\n`);
  if (io.env.NODEX_DEBUG && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
  return EXIT.failure;
}

/** Shared state a command's action uses to hand back its exit code. */
export interface CommandContext {
  readonly io: CliIo;
  setExitCode(code: ExitCode): void;
}

function buildProgram(context: CommandContext): Command {
  const { io } = context;
  const program = new Command('nodex')
    .description('One surface for the LLM subscriptions and keys you already have: SDK, CLI and gateway.')
    .version(nodexVersion(), '-v, --version', 'print the version')
    .option('--config <file>', 'config file (default: $NODEX_CONFIG or ~/.config/nodex/config.yaml)')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .exitOverride();
  for (const register of COMMANDS) register(program, context);
  return program;
}

/**
 * Runs the CLI with the given arguments (without `node` and the script path) and returns the exit
 * code; nothing calls `process.exit`, so tests run it in-process.
 *
 * @example
 * const code = await runCli(['exec', '--mock', '--prompt', 'hi'], io);
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  let exitCode: ExitCode = EXIT.ok;
  const program = buildProgram({ io, setExitCode: (code) => (exitCode = code) });
  if (argv.length === 0) {
    program.outputHelp({ error: true });
    return EXIT.usage;
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (
        error.code === 'commander.helpDisplayed' ||
        error.code === 'commander.version' ||
        error.code === 'commander.help'
      ) {
        return EXIT.ok;
      }
      return EXIT.usage;
    }
    return report(io, error);
  }
}
