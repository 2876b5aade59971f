import type { CanonicalRequest, TextFormat, ToolChoice, ToolDefinition } from '../../core/request.js';
import type { WarningSink } from '../../core/warnings.js';
import {
  geminiReasoningEffort,
  isOpenAIReasoningModel,
  type MaxTokensField,
  maxTokensField,
} from './chat-dialect.js';
import type {
  ChatDialect,
  ChatRequestBody,
  ChatResponseFormat,
  ChatTool,
  ChatToolChoice,
} from './chat-wire.js';
import { convertChatMessages, type Warn } from './convert-chat-messages.js';

export interface ChatRequestSettings {
  readonly dialect: ChatDialect;
  /** Overrides the per-model default (chat-dialect.ts `maxTokensField`). */
  readonly maxTokensField?: MaxTokensField;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function tools(list: readonly ToolDefinition[], warn: Warn): ChatTool[] {
  const out: ChatTool[] = [];
  for (const tool of list) {
    if (tool.type === 'builtin') {
      warn(`tools.${tool.name}`, `Chat Completions has no built-in tool "${tool.name}"; dropped`);
      continue;
    }
    out.push({
      type: 'function',
      function: {
        name: tool.name,
        ...(tool.description === undefined ? {} : { description: tool.description }),
        ...(tool.parameters === undefined ? {} : { parameters: tool.parameters }),
        ...(tool.strict === undefined ? {} : { strict: tool.strict }),
      },
    });
  }
  return out;
}

function toolChoice(choice: ToolChoice): ChatToolChoice {
  return typeof choice === 'string' ? choice : { type: 'function', function: { name: choice.name } };
}

function responseFormat(format: TextFormat): ChatResponseFormat | undefined {
  switch (format.type) {
    case 'text':
      return undefined;
    case 'json_object':
      return { type: 'json_object' };
    case 'json_schema':
      return {
        type: 'json_schema',
        json_schema: {
          name: format.name,
          schema: format.schema,
          ...(format.strict === undefined ? {} : { strict: format.strict }),
          ...(format.description === undefined ? {} : { description: format.description }),
        },
      };
  }
}

function dedupe(sink: WarningSink | undefined): Warn {
  const seen = new Set<string>();
  return (feature, details) => {
    if (seen.has(feature)) return;
    seen.add(feature);
    sink?.({ feature, details });
  };
}

/** Tools, tool choice and parallel calls (wire.md §6.1; OpenAI rejects the last two without tools). */
function applyTools(body: Mutable<ChatRequestBody>, request: CanonicalRequest, gemini: boolean, warn: Warn) {
  const list = tools(request.tools ?? [], warn);
  if (list.length > 0) body.tools = list;
  if (request.tool_choice !== undefined) {
    if (list.length > 0) body.tool_choice = toolChoice(request.tool_choice);
    else warn('tool_choice', 'tool_choice without tools; dropped');
  }
  if (request.parallel_tool_calls !== undefined && list.length > 0) {
    if (!gemini) body.parallel_tool_calls = request.parallel_tool_calls;
    // Gemini's endpoint has no such switch; `true` is its behaviour anyway.
    else if (!request.parallel_tool_calls)
      warn('parallel_tool_calls', 'Gemini cannot disable parallel calls');
  }
}

function applyReasoning(
  body: Mutable<ChatRequestBody>,
  request: CanonicalRequest,
  gemini: boolean,
  warn: Warn,
) {
  const { effort, summary } = request.reasoning ?? {};
  if (effort !== undefined) {
    if (gemini) {
      const mapped = geminiReasoningEffort(effort);
      if (mapped.approximated)
        warn('reasoning.effort', `Gemini has no "${effort}" effort; sent "${mapped.effort}"`);
      body.reasoning_effort = mapped.effort;
    } else body.reasoning_effort = effort;
  }
  if (summary !== undefined)
    warn('reasoning.summary', 'Chat Completions returns no reasoning summaries; dropped');
}

/** Sampling, limits and the per-host fields (wire.md §7.9). */
function applyParameters(
  body: Mutable<ChatRequestBody>,
  request: CanonicalRequest,
  settings: ChatRequestSettings,
  warn: Warn,
) {
  const gemini = settings.dialect === 'gemini';
  const reasoningModel = !gemini && isOpenAIReasoningModel(request.model);
  for (const key of ['temperature', 'top_p'] as const) {
    const value = request[key];
    if (value === undefined) continue;
    if (reasoningModel) warn(key, `${request.model} accepts only the default ${key}; dropped`);
    else body[key] = value;
  }
  if (request.stop && request.stop.length > 0) body.stop = request.stop;
  if (request.max_output_tokens !== undefined) {
    body[maxTokensField(request.model, settings.maxTokensField)] = request.max_output_tokens;
  }
  if (request.user !== undefined) {
    if (gemini) warn('user', 'Gemini has no `user` field; dropped');
    else body.user = request.user;
  }
  if (request.prompt_cache_key !== undefined) {
    if (gemini) warn('prompt_cache_key', 'Gemini has no `prompt_cache_key`; dropped');
    else body.prompt_cache_key = request.prompt_cache_key;
  }
  if (request.metadata !== undefined && Object.keys(request.metadata).length > 0) {
    // api.openai.com accepts `metadata` only with `store: true`; Gemini and most hosts have none.
    warn('metadata', 'metadata is not sent to Chat Completions hosts; dropped');
  }
}

/**
 * Canonical request → Chat Completions body (wire.md §6.1, §6.3, §7): messages (see
 * `convertChatMessages`), tools, tool choice, parallel calls, reasoning effort (Gemini levels),
 * `response_format`, sampling, the per-model max-tokens field, and always `stream: true` with
 * `stream_options.include_usage`. Everything dropped or approximated is reported once per feature.
 *
 * @example
 * const body = convertToChatRequest({ model: 'gemini-2.5-flash', input: [userText('hi')] }, { dialect: 'gemini' });
 * body.stream_options; // { include_usage: true }
 */
export function convertToChatRequest(
  request: CanonicalRequest,
  settings: ChatRequestSettings,
  onWarning?: WarningSink,
): ChatRequestBody {
  const warn = dedupe(onWarning);
  const gemini = settings.dialect === 'gemini';
  const body: Mutable<ChatRequestBody> = {
    model: request.model,
    messages: convertChatMessages(request, settings.dialect, warn),
    stream: true,
    stream_options: { include_usage: true },
  };
  applyTools(body, request, gemini, warn);
  applyReasoning(body, request, gemini, warn);
  const format = request.text?.format ? responseFormat(request.text.format) : undefined;
  if (format) body.response_format = format;
  applyParameters(body, request, settings, warn);
  return body;
}
