import type { Command } from 'commander';
import type { AdminApi, KeysApi } from '../../gateway/admin/admin-api.js';
import { type CliIo, EXIT, type ExitCode } from '../io.js';
import type { CommandContext } from '../run-cli.js';
import { keyName, printIssued, printJson, renderKeys } from './keys-format.js';
import {
  addInputFrom,
  type JsonOption,
  type KeysAddOptions,
  type KeysListOptions,
  type KeysUpdateOptions,
  parseWhole,
  readKeyFromStdin,
  updateInputFrom,
} from './keys-options.js';

export type { KeysAddOptions, KeysListOptions, KeysUpdateOptions } from './keys-options.js';

/** How the key commands reach the keys: the gateway's admin socket, or the database directly. */
export type KeysConnect = (
  context: CommandContext,
  globals: { readonly config?: string },
) => Promise<{ readonly api: AdminApi; close(): void | Promise<void> }>;

/**
 * `nodex keys add --label L …`: a new key (or your own, `--key`), printed once.
 *
 * @example
 * await runKeysAdd(api, { label: 'ci', rpm: '30', expiresIn: '30d' }, io);
 */
export async function runKeysAdd(api: KeysApi, options: KeysAddOptions, io: CliIo): Promise<ExitCode> {
  const key = options.key === '-' ? await readKeyFromStdin(io) : options.key;
  const issued = await api.add(addInputFrom(options, key));
  if (key === undefined || options.json) return printIssued(issued, 'added', options, io);
  // Your own key: you have its text already, so it is not echoed.
  io.stdout.write(`added key ${keyName(issued.record)} with the key text you gave\n`);
  return EXIT.ok;
}

/**
 * `nodex keys list [--all]`: active and expired keys (revoked ones too with --all).
 *
 * @example
 * await runKeysList(api, { json: true }, io);
 */
export async function runKeysList(api: KeysApi, options: KeysListOptions, io: CliIo): Promise<ExitCode> {
  const keys = await api.list({ includeRevoked: Boolean(options.all) });
  if (options.json) printJson(io, keys);
  else if (keys.length === 0) io.stdout.write('no keys yet: add one with nodex keys add --label NAME\n');
  else io.stdout.write(renderKeys(keys));
  return EXIT.ok;
}

/**
 * `nodex keys update ID …`: label, limits (`none` removes one), expiry (`never` removes it).
 *
 * @example
 * await runKeysUpdate(api, '0a1b2c3d4e5f', { rpm: 'none', expiresIn: 'never' }, io);
 */
export async function runKeysUpdate(
  api: KeysApi,
  id: string,
  options: KeysUpdateOptions,
  io: CliIo,
): Promise<ExitCode> {
  const view = await api.update(id, updateInputFrom(options, Date.now()));
  if (options.json) printJson(io, view);
  else io.stdout.write(`updated key ${keyName(view)}\n${renderKeys([view])}`);
  return EXIT.ok;
}

/**
 * `nodex keys revoke ID`: the key stops working (within a second on a running gateway).
 *
 * @example
 * await runKeysRevoke(api, '0a1b2c3d4e5f', {}, io);
 */
export async function runKeysRevoke(
  api: KeysApi,
  id: string,
  options: JsonOption,
  io: CliIo,
): Promise<ExitCode> {
  const view = await api.revoke(id);
  if (options.json) printJson(io, view);
  else io.stdout.write(`revoked key ${keyName(view)}\n`);
  return EXIT.ok;
}

/**
 * `nodex keys rotate ID`: a new secret for the same id (usage history stays); the old one stops working.
 *
 * @example
 * await runKeysRotate(api, '0a1b2c3d4e5f', {}, io);
 */
export async function runKeysRotate(
  api: KeysApi,
  id: string,
  options: JsonOption,
  io: CliIo,
): Promise<ExitCode> {
  return printIssued(await api.rotate(id), 'rotated', options, io);
}

/**
 * `nodex keys add-tokens ID N`: adds to (or, negative, takes from) the key's prepaid balance.
 *
 * @example
 * await runKeysAddTokens(api, '0a1b2c3d4e5f', '-500', {}, io);
 */
export async function runKeysAddTokens(
  api: KeysApi,
  id: string,
  tokens: string,
  options: JsonOption,
  io: CliIo,
): Promise<ExitCode> {
  const view = await api.addTokens(id, parseWhole(tokens, 'TOKENS'));
  if (options.json) printJson(io, view);
  else io.stdout.write(`key ${keyName(view)}: balance ${view.token_balance ?? 0} tokens\n`);
  return EXIT.ok;
}

/**
 * Registers `nodex keys add|list|update|revoke|rotate|add-tokens`; `connect` opens the keys API
 * (admin socket or database) for each command and is closed after it.
 *
 * @example
 * registerKeys(program, context, async () => ({ api: adminApi, close: () => db.close() }));
 */
export function registerKeys(program: Command, context: CommandContext, connect: KeysConnect): void {
  const { io } = context;
  const withApi = async <O>(command: Command, run: (api: KeysApi, options: O) => Promise<ExitCode>) => {
    const options = command.optsWithGlobals<O & { readonly config?: string }>();
    const connection = await connect(context, options);
    try {
      context.setExitCode(await run(connection.api.keys, options));
    } finally {
      await connection.close();
    }
  };
  const limits = (command: Command, none = '') =>
    command
      .option('--rpm <n>', `requests per minute${none}`)
      .option('--tpm <n>', `tokens per minute${none}`)
      .option('--quota <tokens/window>', `token quota per window, e.g. 1000000/30d${none}`)
      .option('--models <patterns>', `allowed models, comma-separated, e.g. 'gpt-*,claude-*'${none}`);
  const keys = program.command('keys').description('gateway API keys: add, list, update, revoke, rotate');
  limits(keys.command('add').description('add a key; its text is printed once'))
    .requiredOption('--label <label>', 'who or what uses the key')
    .option('--expires-in <duration>', 'lifetime, e.g. 30d')
    .option('--key <text>', 'bring your own key text (- reads it from stdin)')
    .option('--tokens <n>', 'start with a prepaid token balance')
    .option('--json', 'as JSON')
    .action((_o, command: Command) =>
      withApi<KeysAddOptions>(command, (api, options) => runKeysAdd(api, options, io)),
    );
  keys
    .command('list')
    .description('list keys (revoked ones with --all)')
    .option('--all', 'include revoked keys')
    .option('--json', 'as JSON')
    .action((_o, command: Command) =>
      withApi<KeysListOptions>(command, (api, options) => runKeysList(api, options, io)),
    );
  limits(keys.command('update').description("change a key's label, limits or expiry"), " ('none' removes it)")
    .argument('<id>', 'key id')
    .option('--label <label>', 'new label')
    .option('--expires-in <duration>', "lifetime from now, or 'never'")
    .option('--json', 'as JSON')
    .action((id: string, _o, command: Command) =>
      withApi<KeysUpdateOptions>(command, (api, options) => runKeysUpdate(api, id, options, io)),
    );
  for (const [verb, description, run] of [
    ['revoke', 'revoke a key (kept, with its history)', runKeysRevoke],
    ['rotate', 'a new secret for the same key id, printed once', runKeysRotate],
  ] as const)
    keys
      .command(verb)
      .description(description)
      .argument('<id>', 'key id')
      .option('--json', 'as JSON')
      .action((id: string, _o, command: Command) =>
        withApi<JsonOption>(command, (api, options) => run(api, id, options, io)),
      );
  keys
    .command('add-tokens')
    .description('add to (or with a negative number take from) a prepaid token balance')
    .argument('<id>', 'key id')
    .argument('<tokens>', 'whole number, may be negative')
    .option('--json', 'as JSON')
    .action((id: string, tokens: string, _o, command: Command) =>
      withApi<JsonOption>(command, (api, options) => runKeysAddTokens(api, id, tokens, options, io)),
    );
}
