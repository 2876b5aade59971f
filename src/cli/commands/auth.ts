import { confirm, isCancel } from '@clack/prompts';
import type { Command } from 'commander';
import { loadConfig } from '../../config/load-config.js';
import { type CliIo, EXIT, type ExitCode } from '../io.js';
import type { CommandContext } from '../run-cli.js';
import { type ProviderAuthState, providerAuthStates } from './auth-providers.js';
import { runLogin } from './login.js';

interface AuthOptions {
  readonly json?: boolean;
  readonly config?: string;
}

const SOURCE_NAMES: Readonly<Record<string, string>> = {
  'nodex-file': 'nodex',
  'nodex-keyring': 'nodex, OS keyring',
  'codex-cli': 'Codex CLI',
  'oauth-codex': 'oauth-codex',
  'oauth-codex-legacy': 'oauth-codex, legacy',
  'claude-code': 'Claude Code',
  'claude-code-env': 'CLAUDE_CODE_OAUTH_TOKEN',
};

function source(state: ProviderAuthState): string | undefined {
  const found = state.source as { location?: string; kind?: string } | undefined;
  if (found?.location) return `${found.location} (${SOURCE_NAMES[found.kind ?? ''] ?? found.kind})`;
  if (state.kind === 'api_key' && state.logged_in && typeof state.api_key_env === 'string')
    return `$${state.api_key_env}`;
  return undefined;
}

function expiry(state: ProviderAuthState): string | undefined {
  if (typeof state.expires_at !== 'string') return undefined;
  if (!state.expired) return state.expires_at;
  return `${state.expires_at} (expired; ${state.refreshable ? 'refreshed on next use' : 'log in again'})`;
}

function renderText(state: ProviderAuthState): string {
  const head = `${state.provider}: ${state.logged_in ? (state.kind === 'oauth' ? 'logged in' : state.kind === 'none' ? 'no key needed' : 'API key set') : 'not set up'}`;
  const rows: Array<[string, unknown]> = [
    ['source', source(state)],
    ['account', state.account_id],
    ['plan', state.plan],
    ['email', state.email],
    ['org', state.organization],
    ['expires', expiry(state)],
    ['url', state.base_url],
    ['error', state.error],
    ['fix', state.fix],
    ...((state.also_found as Array<{ location: string; kind: string }> | undefined) ?? []).map(
      (s): [string, string] => ['shadowed', `${s.location} (${SOURCE_NAMES[s.kind] ?? s.kind})`],
    ),
  ];
  const lines = rows
    .filter(([, value]) => typeof value === 'string' && value)
    .map(([name, value]) => `  ${name.padEnd(8)} ${value}`);
  return `${[head, ...lines].join('\n')}\n`;
}

/** `nodex auth status [--json]`: every provider's credentials. Exit 1 only when a credentials file exists but cannot be used. */
export async function runAuthStatus(options: AuthOptions, io: CliIo): Promise<ExitCode> {
  const loaded = loadConfig({ path: options.config, env: io.env });
  const states = await providerAuthStates(loaded, io.env);
  if (options.json) io.stdout.write(`${JSON.stringify({ providers: states }, null, 2)}\n`);
  else io.stdout.write(states.map(renderText).join(''));
  return states.some((s) => s.error) ? EXIT.failure : EXIT.ok;
}

/**
 * `nodex auth setup`: for each provider that is not usable, offer its login (on a TTY) or say what to
 * run or set. Exit 0 when everything that can be set up here is; 1 when something is still missing.
 */
export async function runAuthSetup(options: AuthOptions, io: CliIo): Promise<ExitCode> {
  const loaded = loadConfig({ path: options.config, env: io.env });
  const missing = (await providerAuthStates(loaded, io.env)).filter((s) => !s.logged_in);
  if (missing.length === 0) {
    io.stdout.write('every provider is set up\n');
    return EXIT.ok;
  }
  const interactive = Boolean(io.stdin?.isTTY && io.stderr.isTTY);
  let stillMissing = 0;
  for (const state of missing) {
    if (interactive && state.login) {
      const answer = await confirm({
        message: `${state.provider} is not set up. Sign in now (nodex login ${state.login})?`,
        ...(io.stdin ? { input: io.stdin as NodeJS.ReadStream } : {}),
        output: process.stderr,
      });
      if (!isCancel(answer) && answer === true) {
        const code = await runLogin(state.login, {}, io);
        if (code === EXIT.ok) continue;
      }
    }
    stillMissing += 1;
    io.stdout.write(`${state.provider}: ${state.fix ?? 'not set up'}\n`);
  }
  return stillMissing > 0 ? EXIT.failure : EXIT.ok;
}

export function registerAuth(program: Command, context: CommandContext): void {
  const auth = program.command('auth').description('provider credentials: status and setup');
  auth
    .command('status', { isDefault: true })
    .description(
      'where each provider’s credentials come from: account, plan, expiry, key variable (nothing secret)',
    )
    .option('--json', 'as JSON')
    .action(async (_options: unknown, command: Command) => {
      context.setExitCode(await runAuthStatus(command.optsWithGlobals<AuthOptions>(), context.io));
    });
  auth
    .command('setup')
    .description(
      'offer the logins that are missing (on a TTY); elsewhere print what to run, exit 1 if anything is missing',
    )
    .action(async (_options: unknown, command: Command) => {
      context.setExitCode(await runAuthSetup(command.optsWithGlobals<AuthOptions>(), context.io));
    });
}
