import type { CanonicalRequest, ContentPart } from '../../core/request.js';
import type { CanonicalResponse, OutputItem } from '../../core/response.js';
import type { TokenUsage } from '../../core/usage.js';

/** OpenAI Responses `usage`. */
export interface ResponsesUsage {
  readonly input_tokens: number;
  readonly input_tokens_details: { readonly cached_tokens: number };
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

/** Maps canonical usage to the Responses shape (wire.md §7 item 11). */
export function encodeResponsesUsage(usage: TokenUsage): ResponsesUsage {
  return {
    input_tokens: usage.input_tokens,
    input_tokens_details: { cached_tokens: usage.cached_tokens },
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
    case 'reasoning':
      return {
        type: 'reasoning',
        id: item.id ?? `rs_${tail}`,
        summary: item.summary.map((text) => ({ type: 'summary_text', text })),
        ...(item.text ? { content: [{ type: 'reasoning_text', text: item.text }] } : {}),
        ...(item.encrypted_content ? { encrypted_content: item.encrypted_content } : {}),
      };
  }
}

function incompleteReason(response: CanonicalResponse): string {
  if (response.finish_reason === 'content_filter') return 'content_filter';
  return response.finish_reason_raw === 'max_tokens'
    ? 'max_output_tokens'
    : (response.finish_reason_raw ?? 'max_output_tokens');
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
