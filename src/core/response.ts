import type { FinishReason } from './finish-reason.js';
import type { ProviderData } from './provider-data.js';
import type { QuotaSnapshot } from './quota.js';
import type { FunctionCallItem, MessageItem, ReasoningItem } from './request.js';
import type { TokenUsage } from './usage.js';

export type OutputItem = MessageItem | FunctionCallItem | ReasoningItem;

export type ResponseStatus = 'completed' | 'incomplete' | 'failed';

export interface ResponseError {
  readonly code: string;
  readonly message: string;
  readonly status: number;
  readonly retryable: boolean;
}

/**
 * The canonical non-streaming response, always built from the stream by `accumulate()`.
 * Output items are input items too, so a response's `output` can be appended to the next
 * request's `input` as is.
 */
export interface CanonicalResponse {
  readonly id: string;
  readonly model: string;
  readonly created_at: number;
  readonly status: ResponseStatus;
  readonly output: readonly OutputItem[];
  /** All assistant text, concatenated. */
  readonly output_text: string;
  /** Null when the upstream reported no usage. */
  readonly usage: TokenUsage | null;
  readonly finish_reason: FinishReason;
  readonly finish_reason_raw?: string;
  readonly error: ResponseError | null;
  readonly provider_data?: ProviderData;
  /** The upstream subscription's usage windows, when it reported them. */
  readonly quota?: QuotaSnapshot;
}
