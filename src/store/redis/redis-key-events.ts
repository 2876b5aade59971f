import type { Redis } from 'ioredis';
import { NodexError } from '../../core/errors.js';

/** The channel key changes go out on, unless told otherwise. */
export const KEY_EVENTS_CHANNEL = 'nodex:key-events';

export interface RedisKeyEventsOptions {
  /** Called with the ids of keys that changed (revoked, deleted, policy or balance edited), by any instance. */
  readonly onChange: (ids: readonly string[]) => void;
  /**
   * The subscription came back after the connection dropped: changes published meanwhile were
   * missed, so drop every cached key. Not called for the first subscription.
   */
  readonly onResync?: () => void;
  /** Connection errors of the subscriber, a failed resubscription, a malformed message. */
  readonly onError?: (error: Error) => void;
  /** Default `nodex:key-events`. */
  readonly channel?: string;
  /** How long `open` waits for the first subscription (default 5 s). */
  readonly connectTimeoutMs?: number;
}

function parseIds(message: string): string[] | undefined {
  try {
    const parsed: unknown = JSON.parse(message);
    const ids = (parsed as { ids?: unknown } | null)?.ids;
    return Array.isArray(ids) && ids.every((id) => typeof id === 'string') ? ids : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Key changes broadcast to every gateway instance over Redis pub/sub, so a revocation made on one
 * reaches the key caches of all within a second. `publish` goes out on the given client; listening
 * uses a connection of its own (a subscribed connection can do nothing else), opened with the same
 * options. When that connection drops it reconnects by itself, subscribes again and calls
 * `onResync`, since messages sent meanwhile are lost (pub/sub keeps nothing).
 *
 * A message is `{"ids":["<key id>",…]}` on `nodex:key-events`.
 *
 * @example
 * const events = await RedisKeyEvents.open(client, {
 *   onChange: (ids) => ids.forEach((id) => keyAuth.invalidate(id)),
 *   onResync: () => keyAuth.invalidateAll(),
 * });
 * await events.publish(['k1a2b3c4d5e6']); // after revoking it
 * await events.close();
 */
export class RedisKeyEvents {
  readonly channel: string;
  #closed = false;

  private constructor(
    private readonly publisher: Redis,
    private readonly subscriber: Redis,
    channel: string,
  ) {
    this.channel = channel;
  }

  /** Subscribes on a new connection (a duplicate of `client`) and resolves once the subscription holds. */
  static async open(client: Redis, options: RedisKeyEventsOptions): Promise<RedisKeyEvents> {
    const channel = options.channel ?? KEY_EVENTS_CHANNEL;
    const subscriber = client.duplicate({
      lazyConnect: true,
      autoResubscribe: false,
      connectionName: 'nodex-key-events',
    });
    const events = new RedisKeyEvents(client, subscriber, channel);
    const report = (error: Error) => options.onError?.(error);
    subscriber.on('error', report);
    subscriber.on('message', (from: string, message: string) => {
      if (from !== channel) return;
      const ids = parseIds(message);
      if (ids === undefined)
        report(new Error(`ignored a malformed message on ${channel}: ${message.slice(0, 200)}`));
      else if (ids.length > 0) options.onChange(ids);
    });
    let first = true;
    const subscribed = new Promise<void>((resolve, reject) => {
      subscriber.on('ready', () => {
        subscriber.subscribe(channel).then(
          () => {
            if (first) resolve();
            else options.onResync?.();
            first = false;
          },
          (error: Error) => {
            if (first) reject(error);
            // Dropped again mid-way: the next 'ready' subscribes again; anything else is reported.
            else if (!events.#closed) report(error);
          },
        );
      });
    });
    const timeoutMs = options.connectTimeoutMs ?? 5000;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        subscriber.connect().then(() => subscribed),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no subscription within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
      return events;
    } catch (error) {
      subscriber.disconnect();
      const reason = error instanceof Error ? error.message : String(error);
      throw new NodexError('store_unavailable', `cannot subscribe to ${channel} on Redis: ${reason}`, {
        cause: error,
      });
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Tells every instance (this one too) that these keys changed; resolves to how many subscribers
   * heard it. Rejects with `store_unavailable` when Redis cannot be reached: the key caches' 1 s
   * lifetime still bounds how long a change takes to land.
   */
  async publish(ids: readonly string[]): Promise<number> {
    return RedisKeyEvents.publishOn(this.publisher, ids, this.channel);
  }

  /**
   * `publish` without listening: for a process that changes keys but serves nothing (`nodex keys`
   * run against the database).
   *
   * @example
   * await RedisKeyEvents.publishOn(client, ['k1a2b3c4d5e6']);
   */
  static async publishOn(
    client: Redis,
    ids: readonly string[],
    channel = KEY_EVENTS_CHANNEL,
  ): Promise<number> {
    if (ids.length === 0) return 0;
    try {
      return await client.publish(channel, JSON.stringify({ ids }));
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new NodexError('store_unavailable', `cannot publish key changes on Redis: ${reason}`, {
        cause: error,
      });
    }
  }

  /** Whether the subscription's connection is up right now. */
  get listening(): boolean {
    return !this.#closed && this.subscriber.status === 'ready';
  }

  /** Closes the subscriber connection (the publishing client stays open: it belongs to the caller). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.subscriber.quit().catch(() => this.subscriber.disconnect());
  }
}
