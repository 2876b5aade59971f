/** One request's usage, as metered from the upstream's own figures. Times are Unix milliseconds. */
export interface UsageRecord {
  readonly request_id: string;
  readonly ts: number;
  /** The gateway key id (`static_0` for a config key, `anonymous` in any-key mode). */
  readonly key_id: string;
  readonly route: string;
  readonly model: string;
  readonly provider: string;
  /** The upstream account that served it, when the provider says ('' otherwise). */
  readonly account: string;
  readonly status: number;
  readonly error_code?: string;
  readonly stream: boolean;
  readonly input_tokens: number;
  readonly cached_input_tokens: number;
  readonly output_tokens: number;
  readonly reasoning_tokens: number;
  /** True when the upstream reported no usage (an aborted stream) and nodex counted it itself. */
  readonly estimated: boolean;
  readonly latency_ms: number;
  readonly ttft_ms?: number;
}

/** Summed usage for one group (a key, or a key × model × provider × account). */
export interface UsageTotals {
  readonly key_id: string;
  readonly model?: string;
  readonly provider?: string;
  readonly account?: string;
  readonly requests: number;
  readonly errors: number;
  readonly streamed: number;
  readonly input_tokens: number;
  readonly cached_input_tokens: number;
  readonly output_tokens: number;
  readonly reasoning_tokens: number;
  /** input + output tokens. */
  readonly total_tokens: number;
  readonly latency_ms_avg: number;
  readonly first_ts?: number;
  readonly last_ts?: number;
}

export interface UsageQuery {
  readonly keyId?: string;
  /** Inclusive; hour granularity for totals. */
  readonly since?: number;
  readonly until?: number;
  /** `key` (default) or the finer `key,model,provider,account` grouping. */
  readonly groupBy?: 'key' | 'model';
}

/** A key's current quota window. */
export interface KeyWindow {
  readonly key_id: string;
  readonly window_start: number;
  readonly tokens: number;
}

/**
 * Where metered usage lives. `record` is the one write path: in one transaction it adds each record
 * to the hourly totals, to its key's quota window (rolling the window over when it has elapsed) and
 * balance (when the key keeps one), and to the per-request history when that is on.
 */
export interface UsageStore {
  record(records: readonly UsageRecord[], options: RecordOptions): Promise<void>;
  totals(query: UsageQuery): Promise<UsageTotals[]>;
  /** Per-request rows (history on), newest first. */
  requests(query: UsageQuery & { readonly limit?: number }): Promise<UsageRecord[]>;
  /** The key's window, rolled over (and the roll-over noted) when `windowMs` has elapsed since its start. */
  window(keyId: string, windowMs: number, now: number): Promise<KeyWindow>;
  /** Starts a new window now for one key (or every key), noting the reset. */
  reset(keyId: string | undefined, now: number, reason: 'manual' | 'window'): Promise<void>;
  /** Deletes history rows older than `before`; returns how many. */
  prune(before: number): Promise<number>;
}

export interface RecordOptions {
  /** Keep per-request rows (usage.history). */
  readonly history: boolean;
  /** Quota window length per key id, for keys with a quota (others keep no window). */
  readonly windows: ReadonlyMap<string, number>;
}
