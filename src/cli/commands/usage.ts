import type { Command } from 'commander';
import type { AdminApi, UsageApi, UsageShow } from '../../gateway/admin/admin-api.js';
import type { UsageQuery } from '../../store/usage-store.js';
import { type CliIo, EXIT, type ExitCode } from '../io.js';
import type { CommandContext } from '../run-cli.js';
import { renderTable } from '../table.js';
import { UsageError } from '../usage-error.js';
import {
  formatSpan,
  formatTime,
  parseSince,
  quotaLine,
  recentTable,
  TOTALS_HEADER,
  totalsCells,
} from './usage-format.js';

export interface UsageListOptions {
  readonly key?: string;
  /** `7d`, `12h` (back from now) or a date, `2026-11-01` (UTC) or an ISO time. */
  readonly since?: string;
  readonly json?: boolean;
  /** The time `--since 7d` counts back from (tests); default now. */
  readonly now?: number;
}

export interface UsageShowOptions extends Omit<UsageListOptions, 'key'> {
  readonly id: string;
}

export interface UsageResetOptions {
  readonly id?: string;
  readonly all?: boolean;
  readonly json?: boolean;
}

/** A way to reach the admin API: the running gateway's socket, or the database directly. */
export interface AdminConnection {
  readonly api: AdminApi;
  close(): void | Promise<void>;
}

export type ConnectAdmin = (
  context: CommandContext,
  options: { readonly config?: string },
) => Promise<AdminConnection>;

function rangeOf(options: { readonly since?: string; readonly now?: number }): Omit<UsageQuery, 'keyId'> {
  return options.since === undefined ? {} : { since: parseSince(options.since, options.now ?? Date.now()) };
}

/** Runs a command body, turning a UsageError into `error: …` on stderr and exit code 2. */
async function usageErrors(io: CliIo, body: () => Promise<ExitCode>): Promise<ExitCode> {
  try {
    return await body();
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr.write(`error: ${error.message}\n`);
    return EXIT.usage;
  }
}

const sinceNote = (query: Omit<UsageQuery, 'keyId'>) =>
  query.since === undefined ? '' : ` since ${formatTime(query.since)}`;

/**
 * `nodex usage list`: one row per key (requests, errors, tokens by kind, the last hour it was used).
 *
 * @example
 * await runUsageList(admin.usage, { since: '7d' }, io);
 */
export async function runUsageList(api: UsageApi, options: UsageListOptions, io: CliIo): Promise<ExitCode> {
  return usageErrors(io, async () => {
    const range = rangeOf(options);
    const totals = await api.list({ ...range, ...(options.key ? { keyId: options.key } : {}) });
    if (options.json) io.stdout.write(`${JSON.stringify(totals, null, 2)}\n`);
    else if (totals.length === 0) io.stdout.write(`no usage recorded${sinceNote(range)}\n`);
    else {
      const rows = totals.map((t) => [
        t.key_id,
        ...totalsCells(t),
        t.last_ts === undefined ? '-' : formatTime(t.last_ts),
      ]);
      io.stdout.write(renderTable(['KEY', ...TOTALS_HEADER, 'LAST SEEN (HOUR)'], rows));
    }
    return EXIT.ok;
  });
}

/**
 * `nodex usage show ID`: totals by model, provider and account, the quota window (used, limit,
 * when it resets) and the most recent requests when per-request history is on.
 *
 * @example
 * await runUsageShow(admin.usage, { id: 'k1', since: '2026-11-01' }, io);
 */
export async function runUsageShow(api: UsageApi, options: UsageShowOptions, io: CliIo): Promise<ExitCode> {
  return usageErrors(io, async () => {
    const range = rangeOf(options);
    const shown: UsageShow = await api.show(options.id, range);
    if (options.json) {
      io.stdout.write(`${JSON.stringify(shown, null, 2)}\n`);
      return EXIT.ok;
    }
    const now = options.now ?? Date.now();
    const lines = [`key ${shown.key_id}`, shown.window ? quotaLine(shown.window, now) : 'quota: none', ''];
    io.stdout.write(`${lines.join('\n')}\n`);
    if (shown.totals.length === 0) io.stdout.write(`no usage recorded${sinceNote(range)}\n`);
    else {
      const rows = shown.totals.map((t) => [
        t.model ?? '-',
        t.provider ?? '-',
        t.account || '-',
        ...totalsCells(t),
        formatSpan(t.latency_ms_avg),
      ]);
      io.stdout.write(renderTable(['MODEL', 'PROVIDER', 'ACCOUNT', ...TOTALS_HEADER, 'AVG LATENCY'], rows));
    }
    io.stdout.write(
      shown.requests.length === 0
        ? '\nrecent requests: none recorded (per-request history needs usage.history: true)\n'
        : `\nrecent requests:\n${recentTable(shown.requests)}`,
    );
    return EXIT.ok;
  });
}

/**
 * `nodex usage reset ID | --all`: starts a new quota window now (the totals are kept).
 *
 * @example
 * await runUsageReset(admin.usage, { id: 'k1' }, io);
 */
export async function runUsageReset(api: UsageApi, options: UsageResetOptions, io: CliIo): Promise<ExitCode> {
  return usageErrors(io, async () => {
    if (options.id && options.all) throw new UsageError('give a key id or --all, not both');
    if (!options.id && !options.all)
      throw new UsageError('usage reset needs a key id, or --all to reset every key');
    await api.reset(options.id || undefined);
    const who = options.id ? `key ${options.id}` : 'every key';
    if (options.json) io.stdout.write(`${JSON.stringify({ reset: options.id ?? 'all' })}\n`);
    else io.stdout.write(`reset: a new quota window starts now for ${who} (usage totals are kept)\n`);
    return EXIT.ok;
  });
}

/** A UsageApi that connects on first use (so a usage mistake is reported without connecting). */
function lazyUsage(open: () => Promise<AdminConnection>): { api: UsageApi; close(): Promise<void> } {
  let connection: Promise<AdminConnection> | undefined;
  const usage = async () => {
    connection ??= open();
    return (await connection).api.usage;
  };
  return {
    api: {
      list: async (query) => (await usage()).list(query),
      show: async (keyId, query) => (await usage()).show(keyId, query),
      reset: async (keyId) => (await usage()).reset(keyId),
    },
    close: async () => {
      if (connection) await (await connection).close();
    },
  };
}

/**
 * Registers `nodex usage list|show|reset`. `connect` reaches the admin API (the gateway's socket, or
 * the database when no gateway runs); it is called at most once per command and closed after.
 *
 * @example
 * registerUsage(program, context, connectAdmin);
 */
export function registerUsage(program: Command, context: CommandContext, connect: ConnectAdmin): void {
  const run = async <O extends { readonly config?: string }>(
    command: Command,
    extra: Partial<O>,
    body: (api: UsageApi, options: O) => Promise<ExitCode>,
  ) => {
    const options = { ...command.optsWithGlobals<O>(), ...extra };
    const lazy = lazyUsage(() => connect(context, { config: options.config }));
    try {
      context.setExitCode(await body(lazy.api, options));
    } finally {
      await lazy.close();
    }
  };
  const usage = program
    .command('usage')
    .description('token usage per gateway key: totals, quota windows, resets');
  usage
    .command('list')
    .description('totals per key (last seen to the hour)')
    .option('--key <id>', 'only this key')
    .option('--since <when>', 'a duration back from now (7d, 12h) or a date (2026-11-01, UTC)')
    .option('--json', 'as JSON')
    .action((_options: unknown, command: Command) =>
      run<UsageListOptions & { config?: string }>(command, {}, (api, o) => runUsageList(api, o, context.io)),
    );
  usage
    .command('show')
    .description("one key's usage by model, its quota window and recent requests")
    .argument('<id>', 'the key id')
    .option('--since <when>', 'a duration back from now (7d, 12h) or a date (2026-11-01, UTC)')
    .option('--json', 'as JSON')
    .action((id: string, _options: unknown, command: Command) =>
      run<UsageShowOptions & { config?: string }>(command, { id }, (api, o) =>
        runUsageShow(api, o, context.io),
      ),
    );
  usage
    .command('reset')
    .description('start a new quota window now for a key (or every key); totals are kept')
    .argument('[id]', 'the key id')
    .option('--all', 'every key')
    .option('--json', 'as JSON')
    .action((id: string | undefined, _options: unknown, command: Command) =>
      run<UsageResetOptions & { config?: string }>(command, id ? { id } : {}, (api, o) =>
        runUsageReset(api, o, context.io),
      ),
    );
}
