import { errorEvent, toNodexError } from '../../core/errors.js';
import type { StreamEvent } from '../../core/events.js';
import type { ProviderCallContext } from '../../core/provider.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy, withRetries } from './retry.js';

/**
 * An upstream body's items, read per network chunk (`SseBatchCursor`): `shift()` takes the next
 * item of the current chunk without an `await`, `next()` waits for the next chunk, `return()`
 * releases the body.
 */
export interface UpstreamItems<Item> {
  shift(): IteratorResult<Item> | undefined;
  next(): Promise<IteratorResult<Item, undefined>>;
  return(): Promise<void>;
}

/** An upstream stream after one successful, peeked attempt. */
export interface OpenedUpstream<Item> {
  /** Events decoded while peeking, yielded first. */
  readonly held: readonly StreamEvent[];
  /** The rest of the upstream body. */
  readonly sse: UpstreamItems<Item>;
  /** Whether the decoder has seen the end of the response. */
  readonly finished: () => boolean;
  /** Decodes one item, or the end of the body (`next.done`). */
  readonly decode: (next: IteratorResult<Item>) => Iterable<StreamEvent>;
}

/** The provider's retry policy with the call's `maxRetries` (the SDK's and gateway's setting) applied. */
export function retryPolicyFor(policy: RetryPolicy | undefined, context: ProviderCallContext): RetryPolicy {
  const base = policy ?? DEFAULT_RETRY_POLICY;
  return context.maxRetries === undefined ? base : { ...base, maxRetries: context.maxRetries };
}

/**
 * The stream loop every HTTP provider shares (the provider contract of core/provider.ts): open the
 * upstream with retries (each attempt sends, maps HTTP errors to typed errors and peeks until the
 * first content event); a failure before anything is yielded rejects the first `next()`; after
 * that, nothing is retried and a failure becomes the stream's last `error` event; an abort ends the
 * stream quietly; the upstream connection is always released.
 */
export async function* streamWithRetries<Item>(
  open: () => Promise<OpenedUpstream<Item>>,
  options: { readonly policy?: RetryPolicy; readonly context: ProviderCallContext },
): AsyncGenerator<StreamEvent> {
  const { signal } = options.context;
  let opened: OpenedUpstream<Item>;
  try {
    opened = await withRetries(open, {
      policy: retryPolicyFor(options.policy, options.context),
      ...(signal ? { signal } : {}),
    });
  } catch (error) {
    if (signal?.aborted) return; // the caller is gone: end quietly
    throw toNodexError(error);
  }
  const { sse } = opened;
  try {
    yield* opened.held;
    // One `await` per network chunk: the items of a chunk already read are taken synchronously.
    while (!opened.finished()) yield* opened.decode(sse.shift() ?? (await sse.next()));
  } catch (error) {
    if (signal?.aborted) return;
    yield errorEvent(toNodexError(error));
  } finally {
    await sse.return();
  }
}
