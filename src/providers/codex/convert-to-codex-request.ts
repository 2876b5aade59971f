import type {
  CanonicalRequest,
  ReasoningConfig,
  TextFormat,
  ToolChoice,
  ToolDefinition,
} from '../../core/request.js';
import type { WarningSink } from '../../core/warnings.js';
import { CodexNames } from './codex-names.js';
import type { CodexRequestBody, CodexTextFormat, CodexTool, CodexToolChoice } from './codex-wire.js';
import { convertCodexInput } from './convert-codex-input.js';

/** Sent when neither the request nor the provider config says otherwise (CPA defaults to medium). */
export const CODEX_REASONING_DEFAULT: ReasoningConfig = { effort: 'medium', summary: 'auto' };

export interface CodexRequestOptions {
  /** Used when the request has no instructions; '' is accepted by the backend (wire.md §2.3). */
  readonly defaultInstructions?: string;
  readonly reasoningDefault?: ReasoningConfig;
}

export interface ConvertedCodexRequest {
  readonly body: CodexRequestBody;
  /** The names and call ids shortened in `body`, for mapping the reply back. */
  readonly names: CodexNames;
}

/** Canonical parameters the backend answers with 400 "Unsupported parameter: <name>" (wire.md §2.3, §7.9). */
const REJECTED = ['max_output_tokens', 'temperature', 'top_p', 'stop', 'user', 'metadata'] as const;

function tools(list: readonly ToolDefinition[], names: CodexNames): CodexTool[] {
  return list.map((tool) =>
    tool.type === 'function'
      ? {
          type: 'function',
          name: names.shorten(tool.name),
          ...(tool.description === undefined ? {} : { description: tool.description }),
          strict: tool.strict ?? false,
          parameters: tool.parameters ?? { type: 'object', properties: {} },
        }
      : { ...tool.config, type: tool.name },
  );
}

function toolChoice(choice: ToolChoice, names: CodexNames): CodexToolChoice {
  return typeof choice === 'string' ? choice : { type: 'function', name: names.shorten(choice.name) };
}

function textFormat(format: TextFormat): CodexTextFormat {
  if (format.type !== 'json_schema') return format;
  return {
    type: 'json_schema',
    name: format.name,
    schema: format.schema,
    strict: format.strict ?? true,
    ...(format.description === undefined ? {} : { description: format.description }),
  };
}

function reasoning(
  request: CanonicalRequest,
  defaults: ReasoningConfig,
  warn: WarningSink,
): CodexRequestBody['reasoning'] {
  let effort: string | undefined = request.reasoning?.effort ?? defaults.effort;
  if (effort === 'minimal') {
    // "The ChatGPT Codex backend does not accept 'minimal'" (wire.md §2.3).
    warn({ feature: 'reasoning.effort', details: 'codex does not accept effort "minimal"; sent "low"' });
    effort = 'low';
  } else if (effort === 'none' && request.model.includes('codex')) {
    warn({ feature: 'reasoning.effort', details: 'codex-family models reject effort "none"; sent "low"' });
    effort = 'low';
  }
  const summary = request.reasoning?.summary ?? defaults.summary ?? 'auto';
  return effort === undefined ? { summary } : { effort, summary };
}

/**
 * Builds the Codex request body from a canonical request (wire.md §2.3): instructions always
 * present, `store:false`, `stream:true`, reasoning with `include:['reasoning.encrypted_content']`,
 * only the caller's tools (never defaults: seeds-spec §C.1.10), and every parameter the backend
 * rejects removed with a warning rather than dropped silently (§C.1.11).
 *
 * @example
 * const { body } = convertToCodexRequest({ model: 'gpt-5.5', input: [userText('hi')] }, {}, console.warn);
 * body.store; // false
 */
export function convertToCodexRequest(
  request: CanonicalRequest,
  options: CodexRequestOptions = {},
  warn: WarningSink = () => {},
): ConvertedCodexRequest {
  for (const param of REJECTED) {
    if (request[param] !== undefined) {
      warn({ feature: param, details: `codex rejects ${param} (400 Unsupported parameter); dropped` });
    }
  }
  const names = new CodexNames();
  const input = convertCodexInput(request.input, names, warn);
  const format = request.text?.format;
  const body: CodexRequestBody = {
    model: request.model,
    instructions: request.instructions ?? options.defaultInstructions ?? '',
    input,
    ...(request.tools?.length ? { tools: tools(request.tools, names) } : {}),
    ...(request.tool_choice === undefined ? {} : { tool_choice: toolChoice(request.tool_choice, names) }),
    ...(request.parallel_tool_calls === undefined
      ? {}
      : { parallel_tool_calls: request.parallel_tool_calls }),
    reasoning: reasoning(request, options.reasoningDefault ?? CODEX_REASONING_DEFAULT, warn),
    store: false,
    stream: true,
    include: ['reasoning.encrypted_content'],
    ...(request.prompt_cache_key === undefined ? {} : { prompt_cache_key: request.prompt_cache_key }),
    ...(format === undefined ? {} : { text: { format: textFormat(format) } }),
  };
  return { body, names };
}
