import type { CanonicalRequest, ContentPart, ReasoningItem } from '../../core/request.js';
import type { CanonicalResponse, OutputItem } from '../../core/response.js';
import type { TokenUsage } from '../../core/usage.js';
import type { EncodeContext } from '../client-protocol.js';
import { packReasoning } from '../opaque-reasoning.js';

/** OpenAI Responses `usage`. */
export interface ResponsesUsage {
  readonly input_tokens: number;
  readonly input_tokens_details: { readonly cached_tokens: number; readonly cache_write_tokens?: number };
  readonly output_tokens: number;
  readonly output_tokens_details: { readonly reasoning_tokens: number };
  readonly total_tokens: number;
}

export type ResponsesOutputItem = Readonly<Record<string, unknown>> & { readonly type: string };

/** The OpenAI Response object (the fields nodex fills; see openai-node `Response`). */
export interface ResponsesResponse {
  readonly id: string;
  readonly object: 'response';
  readonly created_at: number;
  readonly status: 'completed' | 'incomplete' | 'failed';
  readonly model: string;
  readonly output: readonly ResponsesOutputItem[];
  readonly output_text: string;
  readonly usage: ResponsesUsage | null;
  readonly error: { readonly code: string; readonly message: string } | null;
  readonly incomplete_details: { readonly reason: string } | null;
  readonly instructions: string | null;
  readonly metadata: Readonly<Record<string, string>>;
  readonly parallel_tool_calls: boolean;
  readonly temperature: number | null;
  readonly top_p: number | null;
  readonly tool_choice: unknown;
  readonly tools: readonly unknown[];
  readonly previous_response_id: string | null;
  readonly store: boolean;
}

/**
 * Maps canonical usage to the Responses shape (wire.md §7 item 11). Cache writes (Anthropic) ride in
 * `input_tokens_details.cache_write_tokens` when there are any, the field CPA and Codex read (wire.md §3.1).
 */
export function encodeResponsesUsage(usage: TokenUsage): ResponsesUsage {
  return {
    input_tokens: usage.input_tokens,
    input_tokens_details: {
      cached_tokens: usage.cached_tokens,
      ...(usage.cache_write_tokens > 0 ? { cache_write_tokens: usage.cache_write_tokens } : {}),
    },
    output_tokens: usage.output_tokens,
    output_tokens_details: { reasoning_tokens: usage.reasoning_tokens },
    total_tokens: usage.total_tokens,
  };
}

function suffix(responseId: string): string {
  return responseId.replace(/^[a-z]+_/, '').slice(-24) || 'x';
}

function outputPart(part: ContentPart): Record<string, unknown> {
  return part.type === 'text'
    ? { type: 'output_text', text: part.text, annotations: [], logprobs: [] }
    : { type: 'output_image', image_url: part.image_url };
}

/**
 * Whether a reasoning item must travel as a nodex token in `encrypted_content` (opaque-reasoning.ts):
 * it carries provider data (an Anthropic signature, redacted thinking) or raw text without an
 * upstream token of its own. A native Codex item (its own `encrypted_content`, no provider data)
 * keeps its token as is.
 */
export function needsPackedReasoning(item: ReasoningItem): boolean {
  const hasProviderData = item.provider_data !== undefined && Object.keys(item.provider_data).length > 0;
  return hasProviderData || (!item.encrypted_content && Boolean(item.text));
}

/**
 * The summary parts a reasoning item shows. Raw reasoning text (Anthropic thinking, `reasoning_content`
 * of OpenAI-compatible hosts) is shown as the summary when the item has none of its own: clients
 * display summaries (Codex CLI hides `content` unless `show_raw_agent_reasoning` is set), so the text
 * stays visible. An item with both keeps the text in `content` as `reasoning_text`.
 */
export function reasoningSummaryTexts(item: ReasoningItem): readonly string[] {
  if (item.summary.length > 0) return item.summary;
  return item.text ? [item.text] : [];
}

/** One canonical output item as a Responses output item; ids are kept, or made stable from the response id. */
export function encodeOutputItem(item: OutputItem, responseId: string, index: number): ResponsesOutputItem {
  const tail = `${suffix(responseId)}_${index}`;
  switch (item.type) {
    case 'message':
      return {
        type: 'message',
        id: item.id ?? `msg_${tail}`,
        status: 'completed',
        role: 'assistant',
        content: item.content.map(outputPart),
      };
    case 'function_call':
      return {
        type: 'function_call',
        id: item.id ?? `fc_${tail}`,
        call_id: item.call_id,
        name: item.name,
        arguments: item.arguments,
        status: 'completed',
      };
    case 'reasoning': {
      const encrypted = needsPackedReasoning(item) ? packReasoning(item) : item.encrypted_content;
      return {
        type: 'reasoning',
        id: item.id ?? `rs_${tail}`,
        summary: reasoningSummaryTexts(item).map((text) => ({ type: 'summary_text', text })),
        ...(item.text && item.summary.length > 0
          ? { content: [{ type: 'reasoning_text', text: item.text }] }
          : {}),
        ...(encrypted ? { encrypted_content: encrypted } : {}),
      };
    }
  }
}

/** `incomplete_details.reason`: the Responses API knows only these two (wire.md §3.2). */
function incompleteReason(response: CanonicalResponse): 'max_output_tokens' | 'content_filter' {
  return response.finish_reason === 'content_filter' ? 'content_filter' : 'max_output_tokens';
}

function encodeTool(tool: NonNullable<CanonicalRequest['tools']>[number]): unknown {
  return tool.type === 'function'
    ? {
        type: 'function',
        name: tool.name,
        description: tool.description ?? null,
        parameters: tool.parameters ?? null,
        strict: tool.strict ?? null,
      }
    : { type: tool.name, ...tool.config };
}

/**
 * Renders a canonical response as an OpenAI Responses API object, echoing request settings the
 * way api.openai.com does.
 *
 * @example
 * const body = encodeResponsesResponse(accumulate(events), request);
 */
export function encodeResponsesResponse(
  response: CanonicalResponse,
  request?: CanonicalRequest,
  extra: { readonly previousResponseId?: string; readonly store?: boolean } = {},
): ResponsesResponse {
  return {
    id: response.id,
    object: 'response',
    created_at: response.created_at,
    status: response.status,
    model: response.model || request?.model || '',
    output: response.output.map((item, index) => encodeOutputItem(item, response.id, index)),
    output_text: response.output_text,
    usage: response.usage ? encodeResponsesUsage(response.usage) : null,
    error: response.error ? { code: response.error.code, message: response.error.message } : null,
    incomplete_details: response.status === 'incomplete' ? { reason: incompleteReason(response) } : null,
    instructions: request?.instructions ?? null,
    metadata: request?.metadata ?? {},
    parallel_tool_calls: request?.parallel_tool_calls ?? true,
    temperature: request?.temperature ?? null,
    top_p: request?.top_p ?? null,
    tool_choice: request?.tool_choice ?? 'auto',
    tools: (request?.tools ?? []).map(encodeTool),
    previous_response_id: extra.previousResponseId ?? null,
    store: extra.store ?? false,
  };
}

/** `previous_response_id` and `store` from the decoded request's extras (index.ts puts them there). */
function responsesExtras(extras: EncodeContext['extras']): {
  previousResponseId?: string;
  store?: boolean;
} {
  const previous = extras?.previousResponseId;
  const store = extras?.store;
  return {
    ...(typeof previous === 'string' ? { previousResponseId: previous } : {}),
    ...(typeof store === 'boolean' ? { store } : {}),
  };
}

/** The response id the gateway answers with: the upstream's, or one made from the request id. */
export function responsesResponseId(response: Pick<CanonicalResponse, 'id'>, requestId: string): string {
  return response.id || `resp_${requestId.replace(/[^A-Za-z0-9]/g, '') || 'nodex'}`;
}

/**
 * The Response object the gateway answers with, streaming (`response.completed`) or not: the model
 * name the caller asked for is echoed back, and a response without an upstream id gets one.
 *
 * @example
 * const body = encodeResponsesBody(accumulate(events), context);
 */
export function encodeResponsesBody(response: CanonicalResponse, context: EncodeContext): ResponsesResponse {
  return encodeResponsesResponse(
    {
      ...response,
      id: responsesResponseId(response, context.requestId),
      model: context.requestedModel || response.model,
    },
    context.request,
    responsesExtras(context.extras),
  );
}
