import type {
  BuiltinTool,
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

/** An Anthropic web search server tool type: `web_search_20250305`, `web_search_20260209`, … */
const ANTHROPIC_WEB_SEARCH = /^web_search_\d{8}$/;
/** The fields of an Anthropic `user_location` that the Responses `web_search` tool shares. */
const LOCATION_FIELDS = ['city', 'region', 'country', 'timezone'] as const;

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((entry) => typeof entry === 'string');
}

/**
 * Anthropic's web search server tool as Codex's hosted `web_search` (live, like Anthropic's):
 * `allowed_domains` → `filters.allowed_domains`, `user_location` kept (same fields); `max_uses`,
 * `blocked_domains` and anything else have no Codex form and are dropped with a warning (the Responses
 * API rejects unknown tool fields; codex-rs `ToolSpec::WebSearch` has no such fields).
 */
function webSearchTool(
  tool: BuiltinTool,
  config: Readonly<Record<string, unknown>>,
  warn: WarningSink,
): CodexTool {
  const { type: wireType, allowed_domains, user_location, ...rest } = config;
  const out: { type: 'web_search' } & Record<string, unknown> = {
    type: 'web_search',
    external_web_access: true,
  };
  const dropped = Object.keys(rest).filter((key) => rest[key] !== undefined && rest[key] !== null);
  if (isStringList(allowed_domains)) {
    if (allowed_domains.length > 0) out.filters = { allowed_domains };
  } else if (allowed_domains !== undefined && allowed_domains !== null) dropped.push('allowed_domains');
  if (typeof user_location === 'object' && user_location !== null) {
    const location = user_location as Record<string, unknown>;
    const fields = LOCATION_FIELDS.filter((field) => typeof location[field] === 'string');
    if (fields.length > 0)
      out.user_location = { type: 'approximate', ...Object.fromEntries(fields.map((f) => [f, location[f]])) };
  }
  if (dropped.length > 0)
    warn({
      feature: 'tools.builtin',
      details: `codex web_search has no ${dropped.join(', ')} (from ${String(wireType)} ${tool.name}); dropped`,
    });
  return out;
}

/**
 * A built-in tool for Codex. Built-ins decoded from the Responses API (`name` = the Responses tool
 * type, no `config.type`) pass as the client sent them. Anthropic server tools (`config.type` holds
 * the versioned Anthropic type) are translated where Codex has an equivalent (web search) and
 * dropped with a warning otherwise (`bash_20250124`, `text_editor_…`, `code_execution_…`,
 * `web_fetch_…`: the backend rejects tool types it does not know).
 */
function builtinTool(tool: BuiltinTool, warn: WarningSink): CodexTool | undefined {
  const config = tool.config ?? {};
  const wireType = config.type;
  if (typeof wireType !== 'string') return { ...config, type: tool.name };
  if (ANTHROPIC_WEB_SEARCH.test(wireType)) return webSearchTool(tool, config, warn);
  warn({
    feature: 'tools.builtin',
    details: `codex has no equivalent of the ${wireType} server tool (${tool.name}); dropped`,
  });
  return undefined;
}

function tools(list: readonly ToolDefinition[], names: CodexNames, warn: WarningSink): CodexTool[] {
  const out: CodexTool[] = [];
  for (const tool of list) {
    if (tool.type === 'builtin') {
      const builtin = builtinTool(tool, warn);
      if (builtin) out.push(builtin);
      continue;
    }
    out.push({
      type: 'function',
      name: names.shorten(tool.name),
      ...(tool.description === undefined ? {} : { description: tool.description }),
      strict: tool.strict ?? false,
      parameters: tool.parameters ?? { type: 'object', properties: {} },
    });
  }
  return out;
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
  const codexTools = tools(request.tools ?? [], names, warn);
  const body: CodexRequestBody = {
    model: request.model,
    instructions: request.instructions ?? options.defaultInstructions ?? '',
    input,
    ...(codexTools.length > 0 ? { tools: codexTools } : {}),
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
