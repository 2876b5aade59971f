import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { loadConfig } from '../../config/load-config.js';
import { maskSecrets } from '../../config/mask-secrets.js';
import { nodexHome, resolveConfigPath } from '../../config/paths.js';
import { CONFIG_TEMPLATE } from '../../config/template.js';
import { buildProviders } from '../../providers/registry.js';
import { type CliIo, EXIT, type ExitCode } from '../io.js';
import type { CommandContext } from '../run-cli.js';
import { UsageError } from '../usage-error.js';

interface ConfigOptions {
  readonly config?: string;
  readonly force?: boolean;
  readonly json?: boolean;
}

function init(options: ConfigOptions, io: CliIo): ExitCode {
  const { path } = resolveConfigPath(options.config, io.env);
  if (existsSync(path) && !options.force)
    throw new UsageError(`${path} already exists (use --force to overwrite)`);
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileSync(path, CONFIG_TEMPLATE, { mode: 0o600 });
  chmodSync(path, 0o600);
  io.stdout.write(`wrote ${path}\n`);
  return EXIT.ok;
}

function show(options: ConfigOptions, io: CliIo): ExitCode {
  const loaded = loadConfig({ path: options.config, env: io.env });
  for (const warning of loaded.warnings) io.stderr.write(`warning: config ${warning}\n`);
  const masked = maskSecrets(loaded.config);
  if (options.json) io.stdout.write(`${JSON.stringify(masked, null, 2)}\n`);
  else {
    const source = loaded.fromFile ? loaded.path : `${loaded.path} (not found: built-in defaults)`;
    io.stdout.write(`# effective config from ${source}; secrets masked\n${stringify(masked)}`);
  }
  return EXIT.ok;
}

function validate(options: ConfigOptions, io: CliIo): ExitCode {
  const loaded = loadConfig({ path: options.config, env: io.env });
  const built = buildProviders(loaded.config, {
    env: io.env,
    home: nodexHome(io.env),
    configPath: loaded.path,
  });
  for (const warning of loaded.warnings) io.stderr.write(`error: config ${warning}\n`);
  for (const skip of built.skipped)
    io.stderr.write(`note: provider ${skip.id} cannot start: ${skip.reason}\n`);
  for (const [id, provider] of built.providers) {
    // Providers that start without their key (so per-request keys work) but have none configured.
    const missing = (provider as { missingKey?: string }).missingKey;
    if (missing) io.stderr.write(`note: provider ${id} has no API key: ${missing}\n`);
  }
  if (loaded.warnings.length > 0) return EXIT.usage;
  const providers = [...built.providers.keys()].join(', ') || 'none';
  io.stdout.write(`ok: ${loaded.fromFile ? loaded.path : 'built-in defaults'} (providers: ${providers})\n`);
  return EXIT.ok;
}

export function registerConfig(program: Command, context: CommandContext): void {
  const config = program.command('config').description('create, show and check the config file');
  const run = (action: (options: ConfigOptions, io: CliIo) => ExitCode) => (_: unknown, command: Command) => {
    context.setExitCode(action(command.optsWithGlobals<ConfigOptions>(), context.io));
  };
  config
    .command('init')
    .description('write a commented config file')
    .option('--force', 'overwrite an existing file')
    .action(run(init));
  config
    .command('show')
    .description('print the effective config, secrets masked')
    .option('--json', 'as JSON')
    .action(run(show));
  config
    .command('validate')
    .description('check the config file; unknown keys are errors here')
    .action(run(validate));
}
