import { Redis, type RedisOptions } from 'ioredis';
import { NodexError } from '../../core/errors.js';
import { checkUrlProtocol, maskUrlPassword } from '../store-url.js';

export interface RedisClientOptions {
  /** How long the first connection (and each reconnection attempt) may take (default 5 s). */
  readonly connectTimeoutMs?: number;
  /** A command without a reply by then is rejected (default 500 ms): a stuck Redis never holds a request. */
  readonly commandTimeoutMs?: number;
  /** The longest pause between reconnection attempts (default 2 s); they start at 50 ms and double. */
  readonly maxBackoffMs?: number;
  /** `CLIENT SETNAME`, to spot nodex's connections in `CLIENT LIST` (default `nodex`). */
  readonly connectionName?: string;
  /** Told about connection errors (refused, reset, …); they never become unhandled 'error' events. */
  readonly onError?: (error: Error) => void;
}

/**
 * A `redis://` URL with its password (in the authority or `?password=`) replaced by `***`.
 *
 * @example
 * maskRedisUrl('redis://:s3cret@cache:6379/0'); // 'redis://:***@cache:6379/0'
 */
export const maskRedisUrl: (url: string) => string = maskUrlPassword;

function checkUrl(url: string): void {
  checkUrlProtocol(
    url,
    ['redis:', 'rediss:'],
    'limits.url must be a redis:// or rediss:// URL (redis://:password@host:6379/0)',
  );
}

/**
 * The ioredis options nodex runs with: fail fast rather than queue. With the offline queue off and
 * no per-command retries, a command sent while Redis is down rejects at once, and one in flight
 * when the connection drops rejects when it drops (or after `commandTimeoutMs`); meanwhile the
 * client reconnects by itself with a capped, jittered backoff, and commands work again once it is
 * back. Pub/sub connections resubscribe on their own after a reconnect.
 *
 * @example
 * const client = new Redis(url, redisClientOptions({ commandTimeoutMs: 250 }));
 */
export function redisClientOptions(options: RedisClientOptions = {}): RedisOptions {
  const maxBackoffMs = options.maxBackoffMs ?? 2000;
  return {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    commandTimeout: options.commandTimeoutMs ?? 500,
    connectTimeout: options.connectTimeoutMs ?? 5000,
    connectionName: options.connectionName ?? 'nodex',
    // Never give up: the store recovers by itself when Redis returns.
    retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times - 1, 16), maxBackoffMs) + Math.random() * 50,
  };
}

/**
 * Opens an ioredis client on a `redis://` (or TLS `rediss://`) URL with `redisClientOptions` and
 * waits until it is ready, so a wrong host fails at startup, not at the first request: unreachable
 * or too slow (past `connectTimeoutMs`) → `store_unavailable`; a refused password or a malformed
 * URL → `config_invalid`. Messages carry the URL with its password masked. The caller owns the
 * client (`client.quit()` on shutdown); one client can serve the limit store, the refresh lock and
 * the publishing side of the key events.
 *
 * @example
 * const client = await openRedis('redis://:secret@cache:6379/0', { onError: (e) => log.warn(e) });
 * const limits = new RedisLimitStore(client, { onUnavailable: () => metric.inc() });
 */
export async function openRedis(url: string, options: RedisClientOptions = {}): Promise<Redis> {
  checkUrl(url);
  const client = new Redis(url, redisClientOptions(options));
  let lastError: Error | undefined;
  client.on('error', (error: Error) => {
    lastError = error;
    options.onError?.(error);
  });
  const timeoutMs = options.connectTimeoutMs ?? 5000;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      client.connect(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return client;
  } catch (error) {
    client.disconnect(); // stops the reconnection loop
    const reason = lastError?.message ?? (error instanceof Error ? error.message : String(error));
    const refused = /WRONGPASS|NOAUTH|NOPERM|invalid password|invalid username/i.test(reason);
    throw new NodexError(
      refused ? 'config_invalid' : 'store_unavailable',
      `cannot connect to Redis at ${maskRedisUrl(url)}: ${reason}`,
      { cause: lastError ?? error },
    );
  } finally {
    clearTimeout(timer);
  }
}
