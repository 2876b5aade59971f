import type { Command } from 'commander';
import { logoutClaude } from '../../auth/claude/claude-logout.js';
import { logoutCodex } from '../../auth/codex/codex-logout.js';
import { codexOAuthSettingsFromConfig } from '../../auth/codex/codex-oauth-config.js';
import type { StoreDescription } from '../../auth/credential-store.js';
import { KeyringProbe, loadSystemKeyring } from '../../auth/keyring.js';
import { loadConfig } from '../../config/load-config.js';
import { nodexHome } from '../../config/paths.js';
import { type CliIo, EXIT, type ExitCode } from '../io.js';
import type { CommandContext } from '../run-cli.js';
import { UsageError } from '../usage-error.js';

/** How to sign out of the tool that owns a store, by store kind. */
const KIND_COMMAND: Readonly<Record<string, string>> = {
  'codex-cli': 'run `codex logout` to sign out there',
  'oauth-codex': 'delete it to sign out of oauth-codex',
  'oauth-codex-legacy': 'delete it to sign out of oauth-codex',
  'claude-code': 'run `/logout` in Claude Code to sign out there',
  'claude-code-env': 'unset it to stop using it',
};

function keptLine(store: StoreDescription, what: string): string {
  const hint = KIND_COMMAND[store.kind] ?? '';
  return (
    `note: ${store.location} (${store.owner}) still holds ${what} and nodex will use them; ` +
    `nodex does not delete another tool's login${hint ? `: ${hint}` : ''}\n`
  );
}

/** `nodex logout claude`: delete nodex's own Claude credentials; never Claude Code's. */
async function runClaudeLogout(io: CliIo): Promise<ExitCode> {
  const result = await logoutClaude({ env: io.env, home: nodexHome(io.env) });
  if (result.removed) {
    // Anthropic publishes no revocation endpoint for these tokens (wire.md §4.2).
    io.stdout.write(
      `logged out of claude: removed ${result.removed.location} (tokens not revoked: no revocation endpoint)\n`,
    );
  } else {
    io.stdout.write('claude: nodex holds no credentials of its own; nothing to remove\n');
  }
  for (const store of result.kept) io.stderr.write(keptLine(store, 'Claude credentials'));
  return EXIT.ok;
}

/** `nodex logout codex|claude`: revoke (codex, best effort) and delete nodex's own credentials; never other tools' files. */
export async function runLogout(
  provider: string,
  options: { config?: string },
  io: CliIo,
): Promise<ExitCode> {
  if (provider === 'claude') return runClaudeLogout(io);
  if (provider !== 'codex')
    throw new UsageError(`cannot log out of "${provider}": nodex logout supports codex and claude`);
  const loaded = loadConfig({ path: options.config, env: io.env });
  const settings = codexOAuthSettingsFromConfig(loaded.config, io.env, loaded.path);
  const keyring = new KeyringProbe(loadSystemKeyring, (note) => io.stderr.write(`note: ${note}\n`));
  const result = await logoutCodex({
    settings,
    env: io.env,
    home: nodexHome(io.env),
    keyring,
    ...(io.signal ? { signal: io.signal } : {}),
  });
  if (result.removed) {
    const revoked = result.revoked ? 'token revoked' : 'could not reach the issuer to revoke the token';
    io.stdout.write(`logged out of codex: removed ${result.removed.location} (${revoked})\n`);
  } else {
    io.stdout.write('codex: nodex holds no credentials of its own; nothing to remove\n');
  }
  for (const store of result.kept) io.stderr.write(keptLine(store, 'Codex credentials'));
  return EXIT.ok;
}

export function registerLogout(program: Command, context: CommandContext): void {
  program
    .command('logout')
    .description("remove nodex's saved credentials for a provider (revoking them first)")
    .argument('<provider>', 'codex or claude')
    .action(async (provider: string, _options: unknown, command: Command) => {
      context.setExitCode(
        await runLogout(provider, command.optsWithGlobals<{ config?: string }>(), context.io),
      );
    });
}
