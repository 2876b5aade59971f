import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from 'commander';
import { loadConfig } from '../../config/load-config.js';
import { FileFollower } from '../../gateway/observe/file-follower.js';
import { observeFiles } from '../../gateway/observe/observe-paths.js';
import { type CliIo, EXIT, type ExitCode } from '../io.js';
import type { CommandContext } from '../run-cli.js';

export interface TailOptions {
  readonly config?: string;
  /** Follow the trace (`server.trace`); with neither flag, both files are followed. */
  readonly trace?: boolean;
  /** Follow the audit log (`server.audit`). */
  readonly audit?: boolean;
  /** Only lines containing this text. */
  readonly grep?: string;
  /** How often the files are read (ms; default 250). */
  readonly pollMs?: number;
}

/**
 * `nodex tail`: follows the trace and/or audit files live (as `tail -F` would: new lines only,
 * across rotations), printing each line as `[trace] …` or `[audit] …`, until Ctrl-C.
 *
 * @example
 * await runTail({ audit: true, grep: '"status":401' }, io); // until io.signal aborts
 */
export async function runTail(options: TailOptions, io: CliIo): Promise<ExitCode> {
  const loaded = loadConfig({ path: options.config, env: io.env });
  for (const warning of loaded.warnings) io.stderr.write(`warning: config ${warning}\n`);
  const files = observeFiles(loaded.config, io.env);
  const both = !options.trace && !options.audit;
  const chosen = [
    ...(both || options.trace ? [{ label: 'trace', ...files.trace }] : []),
    ...(both || options.audit ? [{ label: 'audit', ...files.audit }] : []),
  ];
  const grep = options.grep;
  const followers = chosen.map(
    (file) =>
      new FileFollower(file.path, (line) => {
        if (grep === undefined || line.includes(grep)) io.stdout.write(`[${file.label}] ${line}\n`);
      }),
  );
  for (const file of chosen)
    io.stderr.write(
      `following ${file.path}${file.enabled ? '' : ` (server.${file.label} is off in the config)`}\n`,
    );
  const pollMs = options.pollMs ?? 250;
  try {
    while (!io.signal?.aborted) {
      for (const follower of followers) await follower.poll();
      await sleep(pollMs, undefined, io.signal ? { signal: io.signal } : {}).catch(() => undefined);
    }
  } finally {
    for (const follower of followers) await follower.close();
  }
  return EXIT.ok;
}

/**
 * Registers `nodex tail`.
 *
 * @example
 * registerTail(program, context);
 */
export function registerTail(program: Command, context: CommandContext): void {
  program
    .command('tail')
    .description('follow the gateway trace and audit files live, each line labelled [trace] / [audit]')
    .option('--trace', 'the trace (server.trace)')
    .option('--audit', 'the audit log (server.audit)')
    .option('--grep <text>', 'only lines containing this text')
    .action(async (_options: unknown, command: Command) => {
      context.setExitCode(await runTail(command.optsWithGlobals<TailOptions>(), context.io));
    });
}
