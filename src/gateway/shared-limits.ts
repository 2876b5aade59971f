import type { NodexConfig } from '../config/schema.js';
import { NodexError } from '../core/errors.js';
import type { LimitStore } from '../store/limit-store.js';
import { LocalLimitStore } from '../store/local/local-limit-store.js';
import type { RedisKeyEvents as KeyEvents } from '../store/redis/redis-key-events.js';

/** Whether the limit store answers, for `/metrics`. */
export interface LimitsHealth {
  readonly available: boolean;
  /** Calls refused because the store could not be reached, since start. */
  readonly failures: number;
}

/** A cross-instance lock (structurally auth's RefreshLock: the gateway hands it to providers). */
export interface SharedLock {
  withLock<T>(name: string, run: () => Promise<T>): Promise<T>;
}

/** What `limits` opened: the counters, and with Redis the instance-crossing extras. */
export interface SharedLimits {
  readonly store: LimitStore;
  readonly health: () => LimitsHealth;
  /** Serialises OAuth refreshes across instances (Redis only). */
  readonly refreshLock?: SharedLock;
  /**
   * Tells every other instance that these keys changed (Redis only); `listen` hears the others'
   * changes (`undefined` ids: everything may have changed, a reconnect lost messages).
   */
  readonly broadcast?: (ids: readonly string[]) => Promise<void>;
  listen(onChange: (ids: readonly string[] | undefined) => void): Promise<void>;
  close(): Promise<void>;
}

export interface SharedLimitsOptions {
  /** Failures that never fail a request (a key-change message that could not be read). */
  readonly onError?: (error: Error) => void;
}

/**
 * Opens the store behind rate limits and quotas (`limits.driver`): in-process counters by default,
 * or Redis, shared by every instance, which also carries the OAuth refresh lock and the key-change
 * broadcast. An unreachable Redis stops start-up with a clear error (`store_unavailable`, the URL's
 * password masked); later outages fail limited requests closed (`limits_unavailable`) until the
 * client has reconnected by itself.
 *
 * @example
 * const limits = await openSharedLimits(config);
 * await limits.listen((ids) => (ids ? ids.forEach((id) => auth.invalidate(id)) : auth.invalidate()));
 */
export async function openSharedLimits(
  config: NodexConfig,
  options: SharedLimitsOptions = {},
): Promise<SharedLimits> {
  if (config.limits.driver !== 'redis') {
    return {
      store: new LocalLimitStore(),
      health: () => ({ available: true, failures: 0 }),
      listen: async () => undefined,
      close: async () => undefined,
    };
  }
  const url = config.limits.url?.trim();
  if (!url)
    throw new NodexError(
      'config_invalid',
      'limits.driver is redis but limits.url is not set (redis://[:PASSWORD@]HOST:6379/0)',
    );
  // ioredis loads only when Redis is configured: the embedded default starts without it.
  const [{ openRedis }, { RedisKeyEvents }, { RedisLimitStore }, { RedisRefreshLock }] = await Promise.all([
    import('../store/redis/redis-client.js'),
    import('../store/redis/redis-key-events.js'),
    import('../store/redis/redis-limit-store.js'),
    import('../store/redis/redis-lock.js'),
  ]);
  const client = await openRedis(url);
  client.on('error', (error: Error) => options.onError?.(error));
  const store = new RedisLimitStore(client);
  let events: KeyEvents | undefined;
  return {
    store,
    health: () => ({ available: store.available, failures: store.failures }),
    refreshLock: new RedisRefreshLock(client),
    broadcast: async (ids) => {
      await RedisKeyEvents.publishOn(client, ids);
    },
    listen: async (onChange) => {
      events = await RedisKeyEvents.open(client, {
        onChange: (ids) => onChange(ids),
        onResync: () => onChange(undefined),
        ...(options.onError ? { onError: options.onError } : {}),
      });
    },
    close: async () => {
      await events?.close();
      client.disconnect();
    },
  };
}
