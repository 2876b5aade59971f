import type {
  CanonicalRequest,
  ReasoningEffort,
  TextFormat,
  ToolChoice,
  ToolDefinition,
} from '../../core/request.js';
import type { Warning, WarningSink } from '../../core/warnings.js';
import { DEFAULT_MAX_TOKENS, DEFAULT_THINKING_BUDGETS, defaultMaxTokens } from './anthropic-limits.js';
import { AnthropicToolIds, AnthropicToolNames } from './anthropic-tool-ids.js';
import type {
  AnthropicRequestBody,
  AnthropicTextBlock,
  AnthropicTool,
  AnthropicToolChoice,
} from './anthropic-wire.js';
import { convertAnthropicMessages } from './convert-anthropic-messages.js';

/** The system text an OAuth subscription request must start with (wire.md §4.4). */
export const CLAUDE_CODE_IDENTITY = "You are Claude Code, Anthropic's official CLI for Claude.";

export interface AnthropicRequestOptions {
  /** Set in OAuth mode: the identity system block sent FIRST (wire.md §4.4). Unset in API-key mode. */
  readonly identity?: string;
  /** Default `max_tokens` per model prefix (DEFAULT_MAX_TOKENS). */
  readonly maxTokens?: Readonly<Record<string, number>>;
  readonly thinkingBudgets?: Readonly<Partial<Record<Exclude<ReasoningEffort, 'none'>, number>>>;
  /** A prefix added to tool names upstream and stripped from calls (off by default). */
  readonly toolNamePrefix?: string;
}

export interface ConvertedAnthropicRequest {
  readonly body: AnthropicRequestBody;
  /** Call ids renamed in `body`, to map the reply back. */
  readonly ids: AnthropicToolIds;
  readonly names: AnthropicToolNames;
}

function tools(
  list: readonly ToolDefinition[],
  names: AnthropicToolNames,
  warn: WarningSink,
): AnthropicTool[] {
  const out: AnthropicTool[] = [];
  for (const tool of list) {
    if (tool.type === 'function') {
      if (tool.strict)
        warn({
          feature: 'tools.strict',
          details: `anthropic has no strict mode; ${tool.name} sent without it`,
        });
      out.push({
        name: names.toUpstream(tool.name),
        ...(tool.description === undefined ? {} : { description: tool.description }),
        input_schema: tool.parameters ?? { type: 'object', properties: {} },
      });
    } else if (typeof tool.config?.type === 'string') {
      out.push({ ...tool.config, name: tool.name }); // a server tool, e.g. web_search_20250305
    } else {
      warn({
        feature: 'tools.builtin',
        details: `built-in tool ${tool.name} needs config.type for anthropic; dropped`,
      });
    }
  }
  return out;
}

function toolChoice(
  choice: ToolChoice | undefined,
  parallel: boolean | undefined,
  names: AnthropicToolNames,
): AnthropicToolChoice | undefined {
  // `parallel_tool_calls:false` ↔ `disable_parallel_tool_use:true` (wire.md §7.4); `none` has no such field.
  const disable = parallel === false ? { disable_parallel_tool_use: true } : {};
  if (choice === 'none') return { type: 'none' };
  if (choice === 'required') return { type: 'any', ...disable };
  if (typeof choice === 'object') return { type: 'tool', name: names.toUpstream(choice.name), ...disable };
  // `auto` (or nothing): sent only when it says something.
  return choice === 'auto' || parallel === false ? { type: 'auto', ...disable } : undefined;
}

function formatInstruction(
  format: TextFormat | undefined,
  warn: WarningSink,
): AnthropicTextBlock | undefined {
  if (!format || format.type === 'text') return undefined;
  warn({
    feature: 'text.format',
    details: `anthropic has no response_format; ${format.type} approximated with a system instruction`,
  });
  if (format.type === 'json_object')
    return { type: 'text', text: 'Respond with a single valid JSON object and nothing else.' };
  return {
    type: 'text',
    text: `Respond with a single JSON value that matches this JSON Schema ("${format.name}") and nothing else:\n${JSON.stringify(format.schema)}`,
  };
}

interface Sampling {
  thinking?: AnthropicRequestBody['thinking'];
  max_tokens: number;
  temperature?: number;
  top_p?: number;
}

function sampling(
  request: CanonicalRequest,
  options: AnthropicRequestOptions,
  forced: boolean,
  warn: WarningSink,
): Sampling {
  let maxTokens =
    request.max_output_tokens ??
    defaultMaxTokens(request.model, { ...DEFAULT_MAX_TOKENS, ...options.maxTokens });
  let { temperature, top_p } = request;
  const effort = request.reasoning?.effort;
  let budget =
    effort && effort !== 'none'
      ? { ...DEFAULT_THINKING_BUDGETS, ...options.thinkingBudgets }[effort]
      : undefined;
  if (budget !== undefined && forced) {
    // "Thinking may not be enabled when tool_choice forces tool use" (wire.md §4.4, §7).
    warn({
      feature: 'reasoning',
      details: 'anthropic allows no thinking when tool_choice forces a tool; thinking off',
    });
    budget = undefined;
  }
  if (budget !== undefined) {
    if (maxTokens <= budget) {
      warn({
        feature: 'max_output_tokens',
        details: `max_tokens raised to ${budget + maxTokens}: the thinking budget (${budget}) counts against it`,
      });
      maxTokens += budget;
    }
    if (temperature !== undefined && temperature !== 1) {
      warn({ feature: 'temperature', details: 'anthropic allows only temperature 1 with thinking; dropped' });
      temperature = undefined;
    }
    if (top_p !== undefined && top_p < 0.95) {
      warn({ feature: 'top_p', details: 'anthropic allows top_p only from 0.95 with thinking; dropped' });
      top_p = undefined;
    }
  }
  if (temperature !== undefined && top_p !== undefined) {
    warn({
      feature: 'top_p',
      details: 'newer Claude models reject temperature together with top_p; top_p dropped (wire.md §7.9)',
    });
    top_p = undefined;
  }
  return {
    max_tokens: maxTokens,
    ...(budget === undefined ? {} : { thinking: { type: 'enabled', budget_tokens: budget } }),
    ...(temperature === undefined ? {} : { temperature }),
    ...(top_p === undefined ? {} : { top_p }),
  };
}

function unsupported(request: CanonicalRequest, warn: (w: Warning) => void): void {
  const extra = Object.keys(request.metadata ?? {});
  if (extra.length)
    warn({
      feature: 'metadata',
      details: `anthropic metadata takes only user_id; dropped ${extra.join(', ')}`,
    });
  if (request.prompt_cache_key !== undefined)
    warn({ feature: 'prompt_cache_key', details: 'anthropic has no prompt_cache_key; ignored' });
}

/**
 * Builds the Messages request body (wire.md §4.4, §5, §7): the identity block FIRST in OAuth mode,
 * then instructions, system/developer messages and a text-format instruction; messages per
 * `convertAnthropicMessages`; tools and tool_choice (`parallel_tool_calls:false` →
 * `disable_parallel_tool_use`); reasoning effort → a thinking budget (off when a tool is forced);
 * `max_tokens` always set; `temperature` XOR `top_p`; `stop` → `stop_sequences`; `user` →
 * `metadata.user_id`. Whatever is dropped or approximated is reported through `warn`.
 *
 * @example
 * const { body } = convertToAnthropicRequest(request, { identity: CLAUDE_CODE_IDENTITY }, onWarning);
 */
export function convertToAnthropicRequest(
  request: CanonicalRequest,
  options: AnthropicRequestOptions = {},
  warn: WarningSink = () => {},
): ConvertedAnthropicRequest {
  unsupported(request, warn);
  const ids = new AnthropicToolIds();
  const names = new AnthropicToolNames(options.toolNamePrefix);
  const converted = convertAnthropicMessages(request.input, ids, names, warn);
  const format = formatInstruction(request.text?.format, warn);
  const system: AnthropicTextBlock[] = [
    ...(options.identity
      ? [{ type: 'text', text: options.identity, cache_control: { type: 'ephemeral' } } as const]
      : []),
    ...(request.instructions?.trim() ? [{ type: 'text', text: request.instructions } as const] : []),
    ...converted.system,
    ...(format ? [format] : []),
  ];
  const toolList = request.tools?.length ? tools(request.tools, names, warn) : [];
  let choice = toolChoice(request.tool_choice, request.parallel_tool_calls, names);
  if (!toolList.length && choice) {
    if (choice.type === 'any' || choice.type === 'tool')
      warn({
        feature: 'tool_choice',
        details: 'tool_choice forces a tool but the request has no tools; dropped',
      });
    choice = undefined;
  }
  const forced = choice?.type === 'any' || choice?.type === 'tool';
  const body: AnthropicRequestBody = {
    model: request.model,
    ...sampling(request, options, forced, warn),
    stream: true,
    ...(system.length ? { system } : {}),
    messages: converted.messages,
    ...(toolList.length ? { tools: toolList } : {}),
    ...(choice ? { tool_choice: choice } : {}),
    ...(request.stop?.length ? { stop_sequences: [...request.stop] } : {}),
    ...(request.user ? { metadata: { user_id: request.user } } : {}),
  };
  return { body, ids, names };
}
