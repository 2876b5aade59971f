import type { NodexError } from '../core/errors.js';
import type { StreamEvent } from '../core/events.js';
import type { CanonicalRequest } from '../core/request.js';
import type { CanonicalResponse } from '../core/response.js';
import type { WarningSink } from '../core/warnings.js';
import type { IssueSink } from './openai-responses/request-issues.js';

/** What a client protocol's request decodes to. */
export interface DecodedClientRequest {
  readonly request: CanonicalRequest;
  readonly stream: boolean;
  /** Protocol extras the gateway may act on (previous_response_id, store, include_usage, …). */
  readonly extras?: Readonly<Record<string, unknown>>;
}

export interface DecodeOptions {
  /** Invalid or unsupported parameters (dropped); the gateway reports them as warnings. */
  readonly onIssue: IssueSink;
  readonly onWarning?: WarningSink;
  readonly defaultModel?: string;
}

/** Per-response facts encoders need and the canonical stream may not carry (yet). */
export interface EncodeContext {
  readonly request: CanonicalRequest;
  /** The model name the caller asked for (an alias, say), echoed back. */
  readonly requestedModel: string;
  readonly requestId: string;
  /** Protocol extras from decoding (include_usage, …). */
  readonly extras?: Readonly<Record<string, unknown>>;
}

/**
 * Turns canonical events into the protocol's SSE text, one event at a time, straight to the socket.
 * Encoders keep only the state the wire format needs (open items, indexes).
 */
export interface StreamEncoder {
  /** SSE frames for one canonical event ('' when it produces none). */
  event(event: StreamEvent): string;
  /** Frames that close a finished stream (`data: [DONE]`, `message_stop`…), after the last event. */
  end(): string;
  /** Frames reporting a failure after the stream started (the protocol's error event), ending it. */
  error(error: NodexError): string;
}

/** An HTTP error answer in the protocol's own shape. */
export interface EncodedError {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * One client protocol: the same four operations in every folder (DESIGN.md §1), so adding a
 * protocol touches its folder and one route.
 */
export interface ClientProtocol {
  readonly id: 'openai-responses' | 'openai-chat' | 'anthropic-messages';
  decodeRequest(body: unknown, options: DecodeOptions): DecodedClientRequest;
  createStreamEncoder(context: EncodeContext): StreamEncoder;
  encodeResponse(response: CanonicalResponse, context: EncodeContext): unknown;
  encodeError(error: NodexError, context: { readonly requestId: string }): EncodedError;
}
