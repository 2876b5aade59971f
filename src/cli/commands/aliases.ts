import type { Command } from 'commander';
import { updateConfigFile } from '../../config/update-config-file.js';
import { ALIAS_FAMILIES, newestOf } from '../../routing/alias-families.js';
import { BUILTIN_ALIASES } from '../../routing/builtin-routes.js';
import { appContext } from '../app-context.js';
import { type CliIo, EXIT, type ExitCode } from '../io.js';
import type { CommandContext } from '../run-cli.js';
import { renderTable } from '../table.js';

interface AliasesOptions {
  readonly config?: string;
  readonly json?: boolean;
  readonly dryRun?: boolean;
}

function list(options: AliasesOptions, io: CliIo): ExitCode {
  const app = appContext(io, options.config, { quietSkips: true });
  const user = app.loaded.config.routing.aliases;
  const rows = [...app.router.aliases]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([alias, model]) => ({
      alias,
      model,
      source: Object.keys(user).some((k) => k.toLowerCase() === alias) ? 'config' : 'built-in',
      provider: app.router.match(model)?.provider ?? '-',
    }));
  if (options.json) io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
  else
    io.stdout.write(
      renderTable(
        ['ALIAS', 'MODEL', 'PROVIDER', 'SOURCE'],
        rows.map((r) => [r.alias, r.model, r.provider, r.source]),
      ),
    );
  return EXIT.ok;
}

async function update(options: AliasesOptions, io: CliIo): Promise<ExitCode> {
  const app = appContext(io, options.config, { quietSkips: true });
  const models = await app.directory.list();
  const changes: Array<[string[], string]> = [];
  const report: Array<{
    alias: string;
    from: string | undefined;
    to?: string;
    status: 'updated' | 'unchanged' | 'skipped';
    reason?: string;
  }> = [];
  for (const family of ALIAS_FAMILIES) {
    const current = app.router.aliases.get(family.alias) ?? BUILTIN_ALIASES[family.alias];
    if (!app.built.providers.has(family.provider)) {
      report.push({
        alias: family.alias,
        from: current,
        status: 'skipped',
        reason: `provider ${family.provider} not available`,
      });
      continue;
    }
    const newest = newestOf(
      family,
      models.filter((m) => m.provider === family.provider),
    );
    if (!newest)
      report.push({
        alias: family.alias,
        from: current,
        status: 'skipped',
        reason: 'no matching model listed',
      });
    else if (newest === current) report.push({ alias: family.alias, from: current, status: 'unchanged' });
    else {
      report.push({ alias: family.alias, from: current, to: newest, status: 'updated' });
      changes.push([['routing', 'aliases', family.alias], newest]);
    }
  }
  if (!options.dryRun && changes.length > 0) updateConfigFile(app.loaded.path, changes);
  if (options.json) {
    io.stdout.write(
      `${JSON.stringify({ dry_run: Boolean(options.dryRun), file: app.loaded.path, aliases: report }, null, 2)}\n`,
    );
    return EXIT.ok;
  }
  for (const r of report) {
    if (r.status === 'updated') io.stdout.write(`updated   ${r.alias}: ${r.from ?? '(none)'} → ${r.to}\n`);
    else if (r.status === 'unchanged') io.stdout.write(`unchanged ${r.alias}: ${r.from}\n`);
    else io.stdout.write(`skipped   ${r.alias}: ${r.reason}\n`);
  }
  if (changes.length > 0)
    io.stdout.write(
      options.dryRun ? `(dry run: ${app.loaded.path} not changed)\n` : `wrote ${app.loaded.path}\n`,
    );
  return EXIT.ok;
}

export function registerAliases(program: Command, context: CommandContext): void {
  const aliases = program.command('aliases').description('model aliases (sonnet, gemini, flash, …)');
  aliases
    .command('list', { isDefault: true })
    .description('every alias, where it points and where it comes from')
    .option('--json', 'as JSON')
    .action((_options: AliasesOptions, command: Command) =>
      context.setExitCode(list(command.optsWithGlobals<AliasesOptions>(), context.io)),
    );
  aliases
    .command('update')
    .description(
      'point each family alias at the newest model its provider lists; rewrites the config file, keeping comments',
    )
    .option('--dry-run', 'show what would change, write nothing')
    .option('--json', 'as JSON')
    .action(async (_options: AliasesOptions, command: Command) =>
      context.setExitCode(await update(command.optsWithGlobals<AliasesOptions>(), context.io)),
    );
}
