import { createInterface } from 'node:readline';
import type { Writable } from 'node:stream';
import { spinner } from '@clack/prompts';
import type { Command } from 'commander';
import { createNodexClaudeStore } from '../../auth/claude/claude-credential-sources.js';
import { loginClaude } from '../../auth/claude/claude-login.js';
import { claudeOAuthSettingsFromConfig } from '../../auth/claude/claude-oauth-config.js';
import { type CodexLoginMode, loginCodex } from '../../auth/codex/codex-login.js';
import { createNodexCodexStore } from '../../auth/codex/codex-nodex-store.js';
import { codexOAuthSettingsFromConfig } from '../../auth/codex/codex-oauth-config.js';
import { KeyringProbe, loadSystemKeyring } from '../../auth/keyring.js';
import { loadConfig } from '../../config/load-config.js';
import { nodexHome } from '../../config/paths.js';
import { NodexError } from '../../core/errors.js';
import { type CliIo, EXIT, type ExitCode } from '../io.js';
import type { CommandContext } from '../run-cli.js';
import { UsageError } from '../usage-error.js';

interface LoginOptions {
  readonly device?: boolean;
  /** `--no-browser` sets it to false. */
  readonly browser?: boolean;
  readonly config?: string;
}

/** CliIo has no stdin yet; tests (and a future CliIo) can pass one for the pasted redirect URL. */
export type LoginIo = CliIo;

/** Reads one line from `input`; EOF or Ctrl-C end the login. `what` names the missing answer. */
function readLine(
  input: NodeJS.ReadableStream,
  signal: AbortSignal | undefined,
  what = 'redirect URL',
): Promise<string> {
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input, terminal: false });
    let answered = false;
    const onAbort = () => rl.close();
    signal?.addEventListener('abort', onAbort, { once: true });
    rl.once('line', (line) => {
      answered = true;
      rl.close();
      resolve(line);
    });
    rl.once('close', () => {
      signal?.removeEventListener('abort', onAbort);
      if (answered) return;
      reject(
        signal?.aborted
          ? new NodexError('aborted', 'sign-in cancelled')
          : new UsageError(`no ${what} was pasted (stdin ended)`),
      );
    });
  });
}

/** A spinner on stderr while waiting, only when stderr is a terminal (docs/cli.md: no noise in pipes). */
function waitingIndicator(io: CliIo): (status: string | undefined) => void {
  if (!io.stderr.isTTY) return () => undefined;
  const spin = spinner({
    output: io.stderr as unknown as Writable,
    ...(io.signal ? { signal: io.signal } : {}),
  });
  let running = false;
  return (status) => {
    if (status && !running) spin.start(status);
    if (!status && running) spin.clear();
    running = Boolean(status);
  };
}

/** `nodex login claude [--no-browser]`: a Claude Pro/Max login (docs/auth.md "Claude"). */
async function runClaudeLogin(options: LoginOptions, io: LoginIo): Promise<ExitCode> {
  if (options.device)
    throw new UsageError('claude has no device-code sign-in; use `nodex login claude --no-browser`');
  const loaded = loadConfig({ path: options.config, env: io.env });
  for (const warning of loaded.warnings) io.stderr.write(`warning: config ${warning}\n`);
  const settings = claudeOAuthSettingsFromConfig(loaded.config, io.env, loaded.path);
  const result = await loginClaude({
    settings,
    mode: options.browser === false ? 'paste' : 'browser',
    store: createNodexClaudeStore(nodexHome(io.env)),
    env: io.env,
    print: (line) => io.stderr.write(`${line}\n`),
    readLine: (prompt) => {
      io.stderr.write(prompt);
      return readLine(io.stdin ?? process.stdin, io.signal, 'code');
    },
    onWaiting: waitingIndicator(io),
    ...(io.signal ? { signal: io.signal } : {}),
  });
  const who = [result.email, result.organization].filter(Boolean).join(', ');
  io.stdout.write(
    `logged in to claude${who ? ` (${who})` : ''}; credentials saved to ${result.store.location}\n`,
  );
  return EXIT.ok;
}

/** `nodex login codex [--device] [--no-browser]`, `nodex login claude [--no-browser]`. */
export async function runLogin(provider: string, options: LoginOptions, io: LoginIo): Promise<ExitCode> {
  if (provider === 'claude') return runClaudeLogin(options, io);
  if (provider !== 'codex')
    throw new UsageError(`cannot log in to "${provider}": nodex login supports codex and claude`);
  const loaded = loadConfig({ path: options.config, env: io.env });
  for (const warning of loaded.warnings) io.stderr.write(`warning: config ${warning}\n`);
  const settings = codexOAuthSettingsFromConfig(loaded.config, io.env, loaded.path);
  const mode: CodexLoginMode = options.device ? 'device' : options.browser === false ? 'paste' : 'browser';
  const keyring = new KeyringProbe(loadSystemKeyring, (note) => io.stderr.write(`note: ${note}\n`));
  const store = createNodexCodexStore({ home: nodexHome(io.env), mode: settings.credentialStore, keyring });
  const result = await loginCodex({
    settings,
    mode,
    store,
    env: io.env,
    print: (line) => io.stderr.write(`${line}\n`),
    readLine: (prompt) => {
      io.stderr.write(prompt);
      return readLine(io.stdin ?? process.stdin, io.signal);
    },
    onWaiting: waitingIndicator(io),
    ...(io.signal ? { signal: io.signal } : {}),
  });
  const who = [
    result.email,
    result.accountId && `account ${result.accountId}`,
    result.planType && `plan ${result.planType}`,
  ]
    .filter(Boolean)
    .join(', ');
  io.stdout.write(
    `logged in to codex${who ? ` (${who})` : ''}; credentials saved to ${result.store.location}\n`,
  );
  return EXIT.ok;
}

export function registerLogin(program: Command, context: CommandContext): void {
  program
    .command('login')
    .description(
      'sign in to a subscription (codex: ChatGPT, claude: Claude Pro/Max) and save the credentials for nodex',
    )
    .argument('<provider>', 'codex or claude')
    .option('--device', 'device-code sign-in (codex): open a URL on any device and enter a code')
    .option(
      '--no-browser',
      'no local callback server: paste the redirect URL (codex) or the code (claude) instead',
    )
    .action(async (provider: string, _options: unknown, command: Command) => {
      context.setExitCode(await runLogin(provider, command.optsWithGlobals<LoginOptions>(), context.io));
    });
}
