import type { KeyPolicy } from '../../config/schema.js';
import type { KeyWindow, UsageQuery, UsageRecord, UsageTotals } from '../../store/usage-store.js';

/** A key as the admin API shows it: the record without its hash, plus its effective policy. */
export interface KeyView {
  readonly id: string;
  readonly label: string;
  readonly created_at: number;
  readonly last_used_at?: number;
  readonly expires_at?: number;
  readonly revoked_at?: number;
  readonly rotated_at?: number;
  /** `active`, `expired` or `revoked`. */
  readonly status: 'active' | 'expired' | 'revoked';
  /** The key's own policy. */
  readonly policy: KeyPolicy;
  /** What applies: its own policy over `keys.default_policy`. */
  readonly effective_policy: KeyPolicy;
  readonly token_balance?: number;
  readonly byok: boolean;
}

/** A key just made (add, rotate): the only time its text is ever shown. */
export interface IssuedKey {
  readonly key: string;
  readonly record: KeyView;
}

export interface AddKeyInput {
  readonly label: string;
  readonly policy?: KeyPolicy;
  /** Lifetime in ms from now. */
  readonly expires_in?: number;
  /** Bring your own key text (at least 16 characters). */
  readonly key?: string;
  /** Start with a prepaid balance. */
  readonly token_balance?: number;
}

export interface UpdateKeyInput {
  readonly label?: string;
  /** Merged over the key's policy; a field set to null is removed. */
  readonly policy?: { readonly [K in keyof KeyPolicy]?: KeyPolicy[K] | null };
  /** Unix ms, or null for no expiry. */
  readonly expires_at?: number | null;
}

/**
 * Key management, the same whether it runs in the gateway (behind the admin socket) or in the CLI
 * on the database directly. Unknown ids reject with a `not_found` NodexError.
 */
export interface KeysApi {
  add(input: AddKeyInput): Promise<IssuedKey>;
  list(options?: { readonly includeRevoked?: boolean }): Promise<KeyView[]>;
  get(id: string): Promise<KeyView>;
  update(id: string, input: UpdateKeyInput): Promise<KeyView>;
  revoke(id: string): Promise<KeyView>;
  /** A new secret for the same id (history stays with the id); the old key stops working at once. */
  rotate(id: string): Promise<IssuedKey>;
  /** Adds (or with a negative number removes) prepaid tokens. */
  addTokens(id: string, tokens: number): Promise<KeyView>;
}

export interface UsageShow {
  readonly key_id: string;
  /** Totals over the query's range, by model × provider × account. */
  readonly totals: UsageTotals[];
  /** The current quota window, when the key has a quota. */
  readonly window?: KeyWindow & { readonly limit: number; readonly window_ms: number };
  /** Recent requests (history on only). */
  readonly requests: UsageRecord[];
}

/** Usage reading and resets, same two homes as KeysApi. */
export interface UsageApi {
  list(query: UsageQuery): Promise<UsageTotals[]>;
  show(keyId: string, query: Omit<UsageQuery, 'keyId'>): Promise<UsageShow>;
  /** Starts a new quota window for one key, or every key. */
  reset(keyId?: string): Promise<void>;
}

export interface AdminApi {
  readonly keys: KeysApi;
  readonly usage: UsageApi;
}
