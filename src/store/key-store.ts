import type { KeyPolicy } from '../config/schema.js';

/** A gateway key as stored: never the key itself, only its hash. Times are Unix milliseconds. */
export interface KeyRecord {
  /** The public id (`nk-<id>-<secret>`); stable across rotations, so usage history stays. */
  readonly id: string;
  readonly label: string;
  /** SHA-256 (hex) of the whole key text. */
  readonly hash: string;
  readonly created_at: number;
  readonly last_used_at?: number;
  readonly expires_at?: number;
  readonly revoked_at?: number;
  readonly rotated_at?: number;
  /** Its own policy; fields it leaves out fall back to `keys.default_policy`. */
  readonly policy: KeyPolicy;
  /** Prepaid tokens left (add-tokens, payments); undefined when the key keeps no balance. */
  readonly token_balance?: number;
  /** The caller chose the key text (bring your own key). */
  readonly byok: boolean;
}

export interface NewKeyRecord {
  readonly id: string;
  readonly label: string;
  readonly hash: string;
  readonly created_at: number;
  readonly expires_at?: number;
  readonly policy: KeyPolicy;
  readonly token_balance?: number;
  readonly byok: boolean;
}

/** What `update` may change; `null` clears an optional field. */
export interface KeyPatch {
  readonly label?: string;
  readonly policy?: KeyPolicy;
  readonly expires_at?: number | null;
  readonly revoked_at?: number | null;
  /** Rotation: the new key's hash (and `rotated_at`). */
  readonly hash?: string;
  readonly rotated_at?: number;
  /** Rotation of a bring-your-own key: it becomes a generated one. */
  readonly byok?: boolean;
  readonly token_balance?: number | null;
}

/**
 * Where gateway keys live. The embedded implementation is SQLite (`SqliteKeyStore`); a PostgreSQL
 * one follows the same contract. Every method is atomic on its own.
 */
export interface KeyStore {
  /** Inserts a key; rejects (`conflict`) when the id or the hash is taken. */
  insert(record: NewKeyRecord): Promise<KeyRecord>;
  get(id: string): Promise<KeyRecord | undefined>;
  findByHash(hash: string): Promise<KeyRecord | undefined>;
  /** Every key, oldest first; revoked ones only with `includeRevoked`. */
  list(options?: { readonly includeRevoked?: boolean }): Promise<KeyRecord[]>;
  /** Applies a patch; undefined when the id is unknown. */
  update(id: string, patch: KeyPatch): Promise<KeyRecord | undefined>;
  /** Adds `delta` (may be negative) to the balance atomically, starting from 0 when it had none. */
  addTokens(id: string, delta: number): Promise<KeyRecord | undefined>;
  /** Records when keys were last used (batched by the caller). */
  touch(lastUsed: ReadonlyMap<string, number>): Promise<void>;
}
