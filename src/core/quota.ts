/**
 * A subscription's usage windows as the upstream reports them in response headers (Codex
 * `x-codex-*`, Anthropic `anthropic-ratelimit-unified-*`), so callers can see how much of a plan is
 * left with every response.
 */
export interface QuotaWindow {
  readonly used_percent?: number;
  readonly window_minutes?: number;
  /** Unix seconds. */
  readonly resets_at?: number;
  /** `allowed` or `rejected`, where the upstream says so. */
  readonly status?: string;
}

export interface QuotaSnapshot {
  readonly provider: string;
  readonly plan_type?: string;
  readonly active_limit?: string;
  readonly primary?: QuotaWindow;
  readonly secondary?: QuotaWindow;
  readonly credits?: {
    readonly has_credits?: boolean;
    readonly unlimited?: boolean;
    readonly balance?: string;
  };
}
