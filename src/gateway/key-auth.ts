import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { KeyPolicy } from '../config/schema.js';
import { NodexError } from '../core/errors.js';
import { hashKey, parseKey } from '../store/api-key-text.js';
import type { KeyRecord, KeyStore } from '../store/key-store.js';
import { effectivePolicy, keyStatus } from './admin/key-admin.js';
import { presentedKey, type Caller as StaticCaller } from './api-key-auth.js';

/** Who a request belongs to: its key id, label and the policy that applies (default overlaid). */
export interface Caller extends StaticCaller {
  readonly policy: KeyPolicy;
  /** The stored key (as of at most `cacheTtlMs` ago); absent for static keys and development mode. */
  readonly record?: KeyRecord;
}

export interface KeyAuthOptions {
  /** Gateway keys; absent = only static keys (or development mode). */
  readonly store?: KeyStore;
  /** Static keys from the config (`server.api_keys`), with the default policy. */
  readonly staticKeys?: readonly string[];
  /** Development mode: any key, or none, is accepted. */
  readonly allowAnyKey?: boolean;
  /** `keys.default_policy`. */
  readonly defaultPolicy?: KeyPolicy;
  readonly now?: () => number;
  /** How long a positive lookup is reused (default and maximum 1000 ms: revocations land within it). */
  readonly cacheTtlMs?: number;
  /** Entries kept at most, least recently used dropped first (default 10000). */
  readonly cacheSize?: number;
  /** How often last-used times are written (default 10000 ms). */
  readonly touchIntervalMs?: number;
  /** A failed last-used write (the times are kept and retried at the next flush). */
  readonly onError?: (error: unknown) => void;
}

const MISSING = 'missing API key: send Authorization: Bearer <key> or x-api-key';
const MAX_TTL_MS = 1000;
/** Compared against when the id is unknown, so the work done does not say whether it exists. */
const DUMMY_HASH = Buffer.alloc(32);

function invalid(): NodexError {
  return new NodexError('authentication_required', 'invalid API key');
}

/**
 * Checks the key a request presents: development mode, then the static `server.api_keys`, then
 * the key store. The answer for an unknown, wrong, expired or revoked key is one and the same.
 * Positive answers are cached by the key's hash (never its text) for at most a second, so a
 * revocation or a policy change made by another process reaches this one within a second.
 * Last-used times are kept in memory and written in one batch every `touchIntervalMs` and on close.
 *
 * @example
 * const auth = new KeyAuthenticator({ store, staticKeys: config.server.api_keys, defaultPolicy });
 * const caller = await auth.authenticate(request.headers); // throws authentication_required
 * await auth.close();
 */
export class KeyAuthenticator {
  private readonly now: () => number;
  private readonly defaultPolicy: KeyPolicy;
  private readonly staticHashes: Buffer[];
  private readonly ttlMs: number;
  private readonly cacheSize: number;
  private readonly touchIntervalMs: number;
  /** Key hash → caller and when it was looked up; Map order is recency (LRU). */
  private readonly cache = new Map<string, { readonly caller: Caller; readonly at: number }>();
  private pending = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: KeyAuthOptions) {
    this.now = options.now ?? Date.now;
    this.defaultPolicy = options.defaultPolicy ?? {};
    this.staticHashes = (options.staticKeys ?? []).map((key) => Buffer.from(hashKey(key), 'hex'));
    this.ttlMs = Math.min(Math.max(options.cacheTtlMs ?? MAX_TTL_MS, 0), MAX_TTL_MS);
    this.cacheSize = Math.max(options.cacheSize ?? 10_000, 0);
    this.touchIntervalMs = options.touchIntervalMs ?? 10_000;
  }

  /** Development mode: every request is let in. */
  get allowsAnyKey(): boolean {
    return this.options.allowAnyKey === true;
  }

  async authenticate(headers: IncomingHttpHeaders): Promise<Caller> {
    const key = presentedKey(headers);
    if (this.options.allowAnyKey)
      return { keyId: 'anonymous', label: 'any key (development mode)', policy: this.defaultPolicy };
    if (!key) throw new NodexError('authentication_required', MISSING);
    const hash = hashKey(key);
    const hashBytes = Buffer.from(hash, 'hex');
    // Every static key is compared, so timing says nothing about which (if any) matched.
    let index = -1;
    this.staticHashes.forEach((candidate, i) => {
      if (timingSafeEqual(candidate, hashBytes) && index < 0) index = i;
    });
    if (index >= 0)
      return { keyId: `static_${index}`, label: `server.api_keys[${index}]`, policy: this.defaultPolicy };
    const caller = await this.lookup(key, hash, hashBytes);
    if (!caller?.record || keyStatus(caller.record, this.now()) !== 'active') throw invalid();
    this.recordUse(caller.keyId);
    return caller;
  }

  /** Drops cached answers (one key's, or all): an in-process revocation applies at once. */
  invalidate(keyId?: string): void {
    if (keyId === undefined) this.cache.clear();
    else for (const [hash, entry] of this.cache) if (entry.caller.keyId === keyId) this.cache.delete(hash);
  }

  /** Writes the pending last-used times now. */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const store = this.options.store;
    if (!store || this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    try {
      await store.touch(batch);
    } catch (error) {
      // Keep them for the next flush, unless a newer use was recorded meanwhile.
      for (const [id, at] of batch) if ((this.pending.get(id) ?? 0) < at) this.pending.set(id, at);
      this.options.onError?.(error);
    }
  }

  /** Stops the timer and writes the pending last-used times. */
  async close(): Promise<void> {
    await this.flush();
  }

  private async lookup(key: string, hash: string, hashBytes: Buffer): Promise<Caller | undefined> {
    const cached = this.cache.get(hash);
    if (cached && this.now() - cached.at < this.ttlMs) {
      this.cache.delete(hash);
      this.cache.set(hash, cached);
      return cached.caller;
    }
    if (cached) this.cache.delete(hash);
    const store = this.options.store;
    if (!store) return undefined;
    const record = await this.find(store, key, hash, hashBytes);
    if (!record) return undefined;
    const caller: Caller = {
      keyId: record.id,
      label: record.label,
      policy: effectivePolicy(this.defaultPolicy, record.policy),
      record,
    };
    if (keyStatus(record, this.now()) === 'active' && this.cacheSize > 0 && this.ttlMs > 0) {
      this.cache.set(hash, { caller, at: this.now() });
      if (this.cache.size > this.cacheSize) {
        const oldest = this.cache.keys().next();
        if (!oldest.done) this.cache.delete(oldest.value);
      }
    }
    return caller;
  }

  private async find(
    store: KeyStore,
    key: string,
    hash: string,
    hashBytes: Buffer,
  ): Promise<KeyRecord | undefined> {
    const parsed = parseKey(key);
    if (!parsed) return store.findByHash(hash);
    const record = await store.get(parsed.id);
    const stored = record ? Buffer.from(record.hash, 'hex') : DUMMY_HASH;
    const same = stored.length === hashBytes.length && timingSafeEqual(stored, hashBytes);
    return record && same ? record : undefined;
  }

  private recordUse(keyId: string): void {
    if (!this.options.store) return;
    this.pending.set(keyId, this.now());
    if (this.timer === undefined) {
      this.timer = setTimeout(() => void this.flush(), this.touchIntervalMs);
      this.timer.unref();
    }
  }
}
