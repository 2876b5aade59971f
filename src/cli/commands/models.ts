import type { Command } from 'commander';
import { appContext } from '../app-context.js';
import { type CliIo, EXIT, type ExitCode } from '../io.js';
import type { CommandContext } from '../run-cli.js';
import { renderTable } from '../table.js';

interface ModelsOptions {
  readonly config?: string;
  readonly json?: boolean;
  readonly provider?: string;
}

/** `nodex models`: every model the configured providers serve, with the aliases that point at it. */
export async function runModels(options: ModelsOptions, io: CliIo): Promise<ExitCode> {
  const app = appContext(io, options.config);
  if (options.provider && !app.built.providers.has(options.provider)) {
    const known = [...app.built.providers.keys()].join(', ');
    io.stderr.write(`error: provider "${options.provider}" is not available (available: ${known})\n`);
    return EXIT.usage;
  }
  if (io.stderr.isTTY && !options.json) io.stderr.write('discovering models…\r');
  const models = (await app.directory.list()).filter(
    (m) => !options.provider || m.provider === options.provider,
  );
  if (io.stderr.isTTY && !options.json) io.stderr.write('                    \r');
  const aliasesOf = new Map<string, string[]>();
  for (const [alias, target] of app.router.aliases)
    aliasesOf.set(target, [...(aliasesOf.get(target) ?? []), alias]);
  const rows = models.map((m) => ({
    id: m.id,
    provider: m.provider,
    aliases: (aliasesOf.get(m.id) ?? []).sort(),
    ...(m.display_name ? { display_name: m.display_name } : {}),
    ...(m.context_window ? { context_window: m.context_window } : {}),
  }));
  if (options.json) {
    io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return EXIT.ok;
  }
  io.stdout.write(
    renderTable(
      ['MODEL', 'PROVIDER', 'ALIASES', 'NAME'],
      rows.map((r) => [r.id, r.provider, r.aliases.join(',') || '-', r.display_name ?? '']),
    ),
  );
  for (const skip of app.built.skipped) io.stderr.write(`note: ${skip.id}: ${skip.reason}\n`);
  return EXIT.ok;
}

export function registerModels(program: Command, context: CommandContext): void {
  program
    .command('models')
    .description('list the models every configured provider serves (discovered live, cached 5 minutes)')
    .option('--provider <id>', 'only this provider')
    .option('--json', 'as JSON')
    .action(async (_options: ModelsOptions, command: Command) => {
      context.setExitCode(await runModels(command.optsWithGlobals<ModelsOptions>(), context.io));
    });
}
