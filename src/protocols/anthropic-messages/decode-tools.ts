import type { ToolChoice, ToolDefinition } from '../../core/request.js';
import type { IssueSink } from '../openai-responses/request-issues.js';
import { ClientToolSchema, invalidAt, ServerToolSchema } from './request-schemas.js';

function decodeTool(raw: unknown, param: string, onIssue: IssueSink): ToolDefinition | undefined {
  const type = typeof raw === 'object' && raw !== null ? (raw as { type?: unknown }).type : undefined;
  if (type === undefined || type === null || type === 'custom') {
    const parsed = ClientToolSchema.safeParse(raw);
    if (parsed.success) {
      const { name, description, input_schema, strict } = parsed.data;
      return {
        type: 'function',
        name,
        ...(description ? { description } : {}),
        parameters: input_schema,
        ...(typeof strict === 'boolean' ? { strict } : {}),
      };
    }
    const error = invalidAt(param, parsed.error, raw);
    onIssue({ code: 'invalid_tool', param, message: error.message, fatal: true });
    return undefined;
  }
  const parsed = ServerToolSchema.safeParse(raw);
  if (!parsed.success) {
    const error = invalidAt(param, parsed.error, raw);
    onIssue({ code: 'invalid_tool', param, message: error.message, fatal: true });
    return undefined;
  }
  // A server tool (web_search_20250305, bash_20250124, text_editor_…): kept as the Anthropic provider
  // reads built-ins, `name` + `config` holding the wire `type` and options; other providers drop it.
  const { name, cache_control: _cache, ...config } = parsed.data;
  return { type: 'builtin', name, config };
}

/**
 * Decodes Messages `tools`: client tools `{name, description, input_schema}` (no `type`, or
 * `custom`) → function tools; server tools (any other `type`) → built-in tools. Malformed tools are
 * fatal issues naming the path; `cache_control` is ignored.
 *
 * @example
 * decodeAnthropicTools([{ name: 'Bash', input_schema: { type: 'object' } }], onIssue);
 */
export function decodeAnthropicTools(raw: unknown, onIssue: IssueSink): ToolDefinition[] | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!Array.isArray(raw)) {
    onIssue({ code: 'invalid_tools', param: 'tools', message: 'tools: expected an array', fatal: true });
    return undefined;
  }
  const tools: ToolDefinition[] = [];
  raw.forEach((tool, index) => {
    const decoded = decodeTool(tool, `tools[${index}]`, onIssue);
    if (decoded) tools.push(decoded);
  });
  return tools;
}

export interface DecodedToolChoice {
  readonly toolChoice?: ToolChoice;
  /** `disable_parallel_tool_use: true` ↔ `parallel_tool_calls: false` (wire.md §7.4). */
  readonly parallelToolCalls?: false;
}

/**
 * Decodes `tool_choice`: `auto` → auto, `any` → required, `{type:'tool', name}` → that function,
 * `none` → none. Anything else is dropped with an issue.
 *
 * @example
 * decodeAnthropicToolChoice({ type: 'any', disable_parallel_tool_use: true }, onIssue);
 * // { toolChoice: 'required', parallelToolCalls: false }
 */
export function decodeAnthropicToolChoice(raw: unknown, onIssue: IssueSink): DecodedToolChoice {
  if (raw === undefined || raw === null) return {};
  const choice = typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
  const parallel = choice.disable_parallel_tool_use === true ? { parallelToolCalls: false as const } : {};
  switch (choice.type) {
    case 'auto':
      return { toolChoice: 'auto', ...parallel };
    case 'any':
      return { toolChoice: 'required', ...parallel };
    case 'none':
      return { toolChoice: 'none' };
    case 'tool':
      if (typeof choice.name === 'string' && choice.name !== '')
        return { toolChoice: { type: 'function', name: choice.name }, ...parallel };
      break;
  }
  onIssue({
    code: 'invalid_tool_choice',
    param: 'tool_choice',
    message: 'tool_choice must be {type: auto|any|none} or {type:"tool", name}; dropped',
  });
  return {};
}
