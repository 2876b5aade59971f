import { afterEach, beforeEach } from 'vitest';
import { NodexError } from '../core/errors.js';
import type { KeyStore, NewKeyRecord } from '../store/key-store.js';
import type { UsageStore } from '../store/usage-store.js';

/** A window roll-over or reset, as `usage_resets` holds it. */
export interface ResetNote {
  readonly key_id: string;
  readonly at: number;
  readonly reason: string;
}

/**
 * One backend's key and usage stores on a fresh, empty database, plus the raw access a few
 * contract cases need (reading tables the interfaces do not expose, injecting a failure).
 */
export interface StoreHarness {
  readonly keys: KeyStore;
  readonly usage: UsageStore;
  /** Another pair of stores on its own connection to the same database (a second process). */
  another(): Promise<{ readonly keys: KeyStore; readonly usage: UsageStore }>;
  /** Writes a key's stored policy as raw JSON text, past the store's own checks. */
  writePolicy(id: string, json: string): Promise<void>;
  /** Every roll-over and reset noted so far, sorted by time, then key id. */
  resets(): Promise<ResetNote[]>;
  /** The ids of the keys that have a quota window, sorted. */
  windowKeys(): Promise<string[]>;
  /** Makes inserting the history row of `requestId` fail with `message`, until the returned undo runs. */
  failHistoryInsert(requestId: string, message: string): Promise<() => Promise<void>>;
  /** The database's table names, sorted. */
  tables(): Promise<string[]>;
  close(): Promise<void>;
}

/** Opens a harness on a fresh, empty database; each contract case opens its own. */
export type OpenHarness = () => Promise<StoreHarness>;

/** How a backend differs where it cannot do otherwise. */
export interface StoreContractOptions {
  /**
   * Text containing U+0000: `kept` (SQLite stores it as it is) or `replaced` (PostgreSQL text
   * cannot hold it: key writes reject with `invalid_request`, lookups find nothing, and usage text
   * is stored with U+FFFD in its place so a batch never fails on it).
   */
  readonly nul: 'kept' | 'replaced';
}

/**
 * Opens a harness before each test of the enclosing `describe` and closes it after; the returned
 * function gives the current one.
 *
 * @example
 * const h = useHarness(open);
 * it('…', async () => { await h().keys.insert(newKey('aaaaaaaaaaaa')); });
 */
export function useHarness(open: OpenHarness): () => StoreHarness {
  let current: StoreHarness | undefined;
  beforeEach(async () => {
    current = await open();
  });
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  return () => {
    if (!current) throw new Error('no store harness open: use it inside a test');
    return current;
  };
}

/**
 * A NewKeyRecord with plain defaults (label and hash derived from the id).
 *
 * @example
 * await keys.insert(newKey('aaaaaaaaaaaa', { token_balance: 100 }));
 */
export function newKey(id: string, extra: Partial<NewKeyRecord> = {}): NewKeyRecord {
  return {
    id,
    label: `label ${id}`,
    hash: `hash-${id}`,
    created_at: 1000,
    policy: {},
    byok: false,
    ...extra,
  };
}

/**
 * The NodexError code a promise rejects with ('resolved' when it does not reject).
 *
 * @example
 * expect(await codeOf(keys.insert(taken))).toBe('conflict');
 */
export async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return NodexError.isInstance(error) ? error.code : `not a NodexError: ${String(error)}`;
  }
  return 'resolved';
}
