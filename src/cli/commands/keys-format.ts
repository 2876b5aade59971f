import type { IssuedKey, KeyView } from '../../gateway/admin/admin-api.js';
import { type CliIo, EXIT, type ExitCode } from '../io.js';
import { renderTable } from '../table.js';

import type { JsonOption } from './keys-options.js';
/**
 * Milliseconds as the largest unit that divides them: `30d`, `90m`, `1500ms`.
 *
 * @example
 * formatDuration(2_592_000_000); // '30d'
 */
export function formatDuration(ms: number): string {
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const)
    if (ms > 0 && ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}

/** A Unix-ms time as `2026-01-31T12:00Z` (UTC, to the minute), or `-`. */
function formatTime(ms: number | undefined): string {
  return ms === undefined ? '-' : `${new Date(ms).toISOString().slice(0, 16)}Z`;
}

const dash = (value: number | string | undefined) => (value === undefined ? '-' : String(value));

/**
 * Keys as a table; the limits shown are the effective ones (own policy over the default).
 *
 * @example
 * io.stdout.write(renderKeys(await api.list()));
 */
export function renderKeys(keys: readonly KeyView[]): string {
  return renderTable(
    ['ID', 'LABEL', 'STATUS', 'RPM', 'TPM', 'QUOTA', 'MODELS', 'BALANCE', 'EXPIRES', 'LAST USED', 'CREATED'],
    keys.map((k) => {
      const p = k.effective_policy;
      return [
        k.id,
        k.label,
        k.status,
        dash(p.rpm),
        dash(p.tpm),
        p.quota ? `${p.quota.tokens}/${formatDuration(p.quota.window)}` : '-',
        p.models ? p.models.join(',') : '*',
        dash(k.token_balance),
        formatTime(k.expires_at),
        formatTime(k.last_used_at),
        formatTime(k.created_at),
      ];
    }),
  );
}

/** Pretty JSON on stdout. */
export const printJson = (io: CliIo, value: unknown) =>
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
/** `id (label)`. */
export const keyName = (k: KeyView) => `${k.id} (${k.label})`;

/**
 * A key just issued: its text once on stdout (alone on its line, for `$(…)`), the warning that it
 * will not be shown again on stderr; with --json, `{key, record}` on stdout.
 *
 * @example
 * printIssued(await api.rotate(id), 'rotated', options, io);
 */
export function printIssued(issued: IssuedKey, what: string, options: JsonOption, io: CliIo): ExitCode {
  if (options.json) {
    printJson(io, issued);
    return EXIT.ok;
  }
  io.stdout.write(`${issued.key}\n`);
  io.stderr.write(
    `${what} key ${keyName(issued.record)}: the key above will not be shown again; store it now\n`,
  );
  if (issued.record.status === 'expired')
    io.stderr.write(
      `warning: key ${issued.record.id} is expired: nodex keys update ${issued.record.id} --expires-in 30d\n`,
    );
  return EXIT.ok;
}
