import type { KeyPolicy } from '../../config/schema.js';
import type { UsageQuery, UsageStore, UsageTotals } from '../../store/usage-store.js';
import type { UsageApi, UsageShow } from './admin-api.js';

/** A key's token quota (`tokens` per `window` ms), or undefined when it has none. */
export type KeyQuota = NonNullable<KeyPolicy['quota']>;

/**
 * The key's effective quota. It may reject (a `not_found` NodexError, say) for an unknown key; show
 * and reset then reject with it.
 */
export type QuotaOf = (keyId: string) => KeyQuota | undefined | Promise<KeyQuota | undefined>;

export interface LocalUsageApiOptions {
  /** How many recent requests `show` lists (history on). */
  readonly recentRequests?: number;
}

/**
 * The usage half of the admin API over a UsageStore: the gateway serves it on the admin socket and
 * the CLI uses it on the database directly. Totals are never cleared: `reset` starts a new quota
 * window (noted in the store), and the history stays.
 *
 * @example
 * const usage = new LocalUsageApi(store, async (id) => (await keys.get(id))?.policy.quota);
 * const shown = await usage.show('k1', { since: Date.now() - 7 * 86_400_000 });
 * await usage.reset('k1');
 */
export class LocalUsageApi implements UsageApi {
  private readonly recent: number;

  constructor(
    private readonly store: UsageStore,
    private readonly quotaOf: QuotaOf,
    private readonly clock: () => number = Date.now,
    options: LocalUsageApiOptions = {},
  ) {
    this.recent = options.recentRequests ?? 20;
  }

  async list(query: UsageQuery): Promise<UsageTotals[]> {
    return this.store.totals({ ...query, groupBy: query.groupBy ?? 'key' });
  }

  async show(keyId: string, query: Omit<UsageQuery, 'keyId'>): Promise<UsageShow> {
    const quota = await this.quotaOf(keyId);
    const range = {
      keyId,
      ...(query.since === undefined ? {} : { since: query.since }),
      ...(query.until === undefined ? {} : { until: query.until }),
    };
    const totals = await this.store.totals({ ...range, groupBy: 'model' });
    const requests = await this.store.requests({ ...range, limit: this.recent });
    if (!quota) return { key_id: keyId, totals, requests };
    const window = await this.store.window(keyId, quota.window, this.clock());
    return {
      key_id: keyId,
      totals,
      window: { ...window, limit: quota.tokens, window_ms: quota.window },
      requests,
    };
  }

  async reset(keyId?: string): Promise<void> {
    if (keyId !== undefined) await this.quotaOf(keyId);
    await this.store.reset(keyId, this.clock(), 'manual');
  }
}
