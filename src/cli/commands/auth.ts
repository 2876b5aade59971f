import type { Command } from 'commander';
import { type CodexAuthStatus, codexAuthStatus } from '../../auth/codex/codex-auth-status.js';
import { codexOAuthSettingsFromConfig } from '../../auth/codex/codex-oauth-config.js';
import { loadConfig } from '../../config/load-config.js';
import { nodexHome } from '../../config/paths.js';
import { type CliIo, EXIT, type ExitCode } from '../io.js';
import type { CommandContext } from '../run-cli.js';

interface StatusOptions {
  readonly json?: boolean;
  readonly config?: string;
}

const SOURCE_NAMES: Readonly<Record<string, string>> = {
  'nodex-file': 'nodex',
  'nodex-keyring': 'nodex, OS keyring',
  'codex-cli': 'Codex CLI',
  'oauth-codex': 'oauth-codex',
  'oauth-codex-legacy': 'oauth-codex, legacy',
};

function describeExpiry(status: CodexAuthStatus): string | undefined {
  if (!status.expires_at) return undefined;
  if (!status.expired) return status.expires_at;
  return `${status.expires_at} (expired; ${status.refreshable ? 'refreshed on next use' : 'run `nodex login codex`'})`;
}

function renderText(status: CodexAuthStatus): string {
  const source = status.source
    ? `${status.source.location} (${SOURCE_NAMES[status.source.kind] ?? status.source.kind})`
    : '';
  if (!status.logged_in) {
    const why = status.error ? `\n  error    ${status.error}` : '';
    return `codex: not logged in${source ? `; found ${source}` : ''}; run \`nodex login codex\`${why}\n`;
  }
  const rows: Array<[string, string | undefined]> = [
    ['source', source],
    ['account', status.account_id],
    ['plan', status.plan],
    ['email', status.email],
    ['expires', describeExpiry(status)],
    ...status.also_found.map((s): [string, string] => [
      'shadowed',
      `${s.location} (${SOURCE_NAMES[s.kind] ?? s.kind})`,
    ]),
  ];
  const lines = rows.filter(([, value]) => value).map(([name, value]) => `  ${name.padEnd(8)} ${value}`);
  return `codex: logged in\n${lines.join('\n')}\n`;
}

/**
 * `nodex auth status [--json]`: where each provider's credentials come from and what they say.
 * Exit 0, or 1 when a credentials file exists but cannot be used.
 */
export async function runAuthStatus(options: StatusOptions, io: CliIo): Promise<ExitCode> {
  const loaded = loadConfig({ path: options.config, env: io.env });
  const settings = codexOAuthSettingsFromConfig(loaded.config, io.env, loaded.path);
  const codex = await codexAuthStatus({ settings, env: io.env, home: nodexHome(io.env) });
  if (options.json) io.stdout.write(`${JSON.stringify({ providers: [codex] }, null, 2)}\n`);
  else io.stdout.write(renderText(codex));
  return codex.error ? EXIT.failure : EXIT.ok;
}

export function registerAuth(program: Command, context: CommandContext): void {
  const auth = program.command('auth').description('show provider credentials');
  auth
    .command('status')
    .description('where the credentials come from, account, plan, expiry (nothing secret)')
    .option('--json', 'as JSON')
    .action(async (_options: unknown, command: Command) => {
      context.setExitCode(await runAuthStatus(command.optsWithGlobals<StatusOptions>(), context.io));
    });
}
