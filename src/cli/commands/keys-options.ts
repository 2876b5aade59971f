import type { KeyPolicy } from '../../config/schema.js';
import { parseDuration } from '../../config/units.js';
import type { AddKeyInput, UpdateKeyInput } from '../../gateway/admin/admin-api.js';
import type { CliIo } from '../io.js';
import { UsageError } from '../usage-error.js';

export interface JsonOption {
  readonly json?: boolean;
}
/** `keys add` flags, as commander hands them over (text; parsed by runKeysAdd). */
export interface KeysAddOptions extends JsonOption {
  readonly label?: string;
  readonly rpm?: string;
  readonly tpm?: string;
  readonly quota?: string;
  readonly models?: string;
  readonly expiresIn?: string;
  /** Bring your own key; `-` reads it from stdin (keeps it out of shell history and `ps`). */
  readonly key?: string;
  readonly tokens?: string;
}
export interface KeysListOptions extends JsonOption {
  readonly all?: boolean;
}
export interface KeysUpdateOptions extends JsonOption {
  readonly label?: string;
  readonly rpm?: string;
  readonly tpm?: string;
  readonly quota?: string;
  readonly models?: string;
  /** A duration from now, or `never`. */
  readonly expiresIn?: string;
}

/**
 * A whole number from a flag: `min` 1 for limits, 0 for balances, none for add-tokens.
 *
 * @example
 * parseWhole('60', '--rpm', 1); // 60
 */
export function parseWhole(text: string, flag: string, min?: number): number {
  const value = /^-?\d+$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
  if (!Number.isSafeInteger(value) || (min !== undefined && value < min))
    throw new UsageError(
      `${flag} must be a whole number${min === undefined ? '' : ` of at least ${min}`}, got "${text}"`,
    );
  return value;
}

/**
 * A lifetime (`30d`, `12h`, `90m`) in milliseconds; zero is refused.
 *
 * @example
 * parseLifetime('30d', '--expires-in'); // 2592000000
 */
export function parseLifetime(text: string, flag: string): number {
  const ms = parseDuration(text);
  if (ms === undefined || ms <= 0)
    throw new UsageError(`${flag} must be a duration such as 12h or 30d, got "${text}"`);
  return ms;
}

/**
 * `TOKENS/WINDOW`, e.g. `1000000/30d`: at most TOKENS per WINDOW.
 *
 * @example
 * parseQuota('1000000/30d'); // { tokens: 1000000, window: 2592000000 }
 */
export function parseQuota(text: string): NonNullable<KeyPolicy['quota']> {
  const [tokens, window, extra] = text.split('/');
  if (tokens === undefined || window === undefined || extra !== undefined)
    throw new UsageError(`--quota must be TOKENS/WINDOW, e.g. 1000000/30d, got "${text}"`);
  return { tokens: parseWhole(tokens, '--quota tokens', 1), window: parseLifetime(window, '--quota window') };
}

/**
 * A comma-separated list of model patterns.
 *
 * @example
 * parseModels('gpt-*, claude-*'); // ['gpt-*', 'claude-*']
 */
export function parseModels(text: string): string[] {
  const models = text
    .split(',')
    .map((m) => m.trim())
    .filter((m) => m !== '');
  if (models.length === 0) throw new UsageError(`--models needs at least one pattern, got "${text}"`);
  return models;
}

/**
 * A limit flag of `update`: a value, `none` (null: remove it, the default policy applies), or absent.
 *
 * @example
 * orNone('none', Number); // null
 */
export function orNone<T>(text: string | undefined, parse: (text: string) => T): T | null | undefined {
  if (text === undefined) return undefined;
  return text.trim().toLowerCase() === 'none' ? null : parse(text);
}

/** `--key -`: the key text from stdin, so it stays out of shell history and `ps`. */
export async function readKeyFromStdin(io: CliIo): Promise<string> {
  let text = '';
  for await (const chunk of io.stdin ?? process.stdin) text += String(chunk);
  return text.trim();
}

/**
 * What `keys add` asks for, from its flags (`key`: the BYOK text, already read).
 *
 * @example
 * addInputFrom({ label: 'ci', quota: '1000000/30d' }); // { label: 'ci', policy: { quota: … } }
 */
export function addInputFrom(options: KeysAddOptions, key?: string): AddKeyInput {
  if (!options.label) throw new UsageError('--label is required (a name for who or what uses the key)');
  const policy: KeyPolicy = {
    ...(options.rpm === undefined ? {} : { rpm: parseWhole(options.rpm, '--rpm', 1) }),
    ...(options.tpm === undefined ? {} : { tpm: parseWhole(options.tpm, '--tpm', 1) }),
    ...(options.quota === undefined ? {} : { quota: parseQuota(options.quota) }),
    ...(options.models === undefined ? {} : { models: parseModels(options.models) }),
  };
  return {
    label: options.label,
    policy,
    ...(options.expiresIn === undefined
      ? {}
      : { expires_in: parseLifetime(options.expiresIn, '--expires-in') }),
    ...(key === undefined ? {} : { key }),
    ...(options.tokens === undefined ? {} : { token_balance: parseWhole(options.tokens, '--tokens', 0) }),
  };
}

/**
 * What `keys update` changes, from its flags: `none` removes a limit, `--expires-in never` the
 * expiry; a lifetime counts from `now`. Nothing to change is a usage error.
 *
 * @example
 * updateInputFrom({ rpm: 'none' }, Date.now()); // { policy: { rpm: null } }
 */
export function updateInputFrom(options: KeysUpdateOptions, now: number): UpdateKeyInput {
  const policy = Object.fromEntries(
    Object.entries({
      rpm: orNone(options.rpm, (t) => parseWhole(t, '--rpm', 1)),
      tpm: orNone(options.tpm, (t) => parseWhole(t, '--tpm', 1)),
      quota: orNone(options.quota, parseQuota),
      models: orNone(options.models, parseModels),
    }).filter(([, value]) => value !== undefined),
  ) as NonNullable<UpdateKeyInput['policy']>;
  const expires = options.expiresIn?.trim();
  const input: UpdateKeyInput = {
    ...(options.label === undefined ? {} : { label: options.label }),
    ...(Object.keys(policy).length > 0 ? { policy } : {}),
    ...(expires === undefined
      ? {}
      : {
          expires_at: expires.toLowerCase() === 'never' ? null : now + parseLifetime(expires, '--expires-in'),
        }),
  };
  if (Object.keys(input).length === 0)
    throw new UsageError('nothing to update: pass --label, --rpm, --tpm, --quota, --models or --expires-in');
  return input;
}
