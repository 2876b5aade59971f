import type { FinishReason } from './finish-reason.js';
import type { ProviderData } from './provider-data.js';
import type { QuotaSnapshot } from './quota.js';
import type { ReasoningItem } from './request.js';
import type { TokenUsage } from './usage.js';

/**
 * Stream event schema v1: the events the SDK's users see and the gateway routes on. Every event
 * carries `schema_version: 'v1'`; field names follow seeds-spec §B.4, with stricter typing per
 * event and two additions that keep the hub lossless: `provider_data` and `finish_reason_raw`.
 */
export type SchemaVersion = 'v1';

interface EventBase {
  readonly schema_version: SchemaVersion;
  readonly response_id?: string;
}

export interface ResponseStartedEvent extends EventBase {
  readonly type: 'response_started';
  readonly response_id: string;
  readonly model: string;
  /** Unix seconds, when the upstream gives it (Anthropic does not). */
  readonly created_at?: number;
  /** The subscription's usage windows from the upstream's response headers, when it sends them. */
  readonly quota?: QuotaSnapshot;
}

export interface TextDeltaEvent extends EventBase {
  readonly type: 'text_delta';
  readonly delta: string;
}

export interface ReasoningDeltaEvent extends EventBase {
  readonly type: 'reasoning_delta';
  readonly delta: string;
  /** `summary`: a user-facing summary part (Codex); `text`: raw reasoning (Anthropic thinking). */
  readonly kind: 'summary' | 'text';
  /** Which summary part the delta belongs to (a new index starts a new part). */
  readonly summary_index?: number;
}

export interface ReasoningDoneEvent extends EventBase {
  readonly type: 'reasoning_done';
  /** The complete reasoning item, ready to be replayed in a later request's input. */
  readonly item: ReasoningItem;
}

export interface ToolCallStartedEvent extends EventBase {
  readonly type: 'tool_call_started';
  readonly call_id: string;
  readonly name: string;
}

export interface ToolCallArgumentsDeltaEvent extends EventBase {
  readonly type: 'tool_call_arguments_delta';
  readonly call_id: string;
  readonly delta: string;
}

export interface ToolCall {
  /** The call id (same as the event's `call_id`). */
  readonly id: string;
  readonly name: string;
  /** The arguments as a JSON text, exactly as produced. */
  readonly arguments_json: string;
  /** The parsed arguments, or null when `arguments_json` is not a JSON object. */
  readonly arguments: Readonly<Record<string, unknown>> | null;
}

export interface ToolCallDoneEvent extends EventBase {
  readonly type: 'tool_call_done';
  readonly call_id: string;
  readonly tool_call: ToolCall;
  readonly provider_data?: ProviderData;
}

export interface UsageEvent extends EventBase {
  readonly type: 'usage';
  readonly usage: TokenUsage;
}

export interface ResponseCompletedEvent extends EventBase {
  readonly type: 'response_completed';
  readonly finish_reason: FinishReason;
  /** The upstream's own finish/stop reason (`end_turn`, `max_output_tokens`, …). */
  readonly finish_reason_raw?: string;
  /** Response-level data a provider needs back (kept opaque). */
  readonly provider_data?: ProviderData;
}

export interface ErrorEvent extends EventBase {
  readonly type: 'error';
  /** Human-readable message (schema v1 `error`). */
  readonly error: string;
  /** Stable error code (docs/errors.md). */
  readonly code: string;
  readonly status: number;
  readonly retryable: boolean;
}

export type StreamEvent =
  | ResponseStartedEvent
  | TextDeltaEvent
  | ReasoningDeltaEvent
  | ReasoningDoneEvent
  | ToolCallStartedEvent
  | ToolCallArgumentsDeltaEvent
  | ToolCallDoneEvent
  | UsageEvent
  | ResponseCompletedEvent
  | ErrorEvent;

export type StreamEventType = StreamEvent['type'];

export const STREAM_EVENT_TYPES: readonly StreamEventType[] = [
  'response_started',
  'text_delta',
  'reasoning_delta',
  'reasoning_done',
  'tool_call_started',
  'tool_call_arguments_delta',
  'tool_call_done',
  'usage',
  'response_completed',
  'error',
];

type Payload<T extends StreamEvent> = Omit<T, 'schema_version' | 'type'>;
type EventOf<K extends StreamEventType> = Extract<StreamEvent, { type: K }>;

/**
 * Builds a v1 event with `schema_version` set.
 *
 * @example
 * streamEvent('text_delta', { delta: 'Hel' });
 */
export function streamEvent<K extends StreamEventType>(type: K, payload: Payload<EventOf<K>>): EventOf<K> {
  return { schema_version: 'v1', type, ...payload } as unknown as EventOf<K>;
}

/**
 * Parses a tool call's argument text. Returns the object, or null when the text is not a JSON object
 * (models do produce broken JSON; callers decide what to do with it).
 */
export function parseToolArguments(text: string): Record<string, unknown> | null {
  const trimmed = text.trim();
  if (trimmed === '') return {};
  try {
    const value: unknown = JSON.parse(trimmed);
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

/** Builds a `tool_call_done` event from the call's final argument text. */
export function toolCallDone(
  callId: string,
  name: string,
  argumentsJson: string,
  extra: { response_id?: string; provider_data?: ProviderData } = {},
): ToolCallDoneEvent {
  return streamEvent('tool_call_done', {
    call_id: callId,
    tool_call: {
      id: callId,
      name,
      arguments_json: argumentsJson,
      arguments: parseToolArguments(argumentsJson),
    },
    ...extra,
  });
}
