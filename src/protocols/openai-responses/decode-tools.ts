import { z } from 'zod';
import type { ToolChoice, ToolDefinition } from '../../core/request.js';
import type { IssueSink } from './request-issues.js';

const FunctionShape = z.looseObject({
  name: z.string().min(1).max(128),
  description: z.string().nullish(),
  parameters: z.record(z.string(), z.unknown()).nullish(),
  strict: z.boolean().nullish(),
});

const NestedFunctionTool = z.looseObject({ type: z.literal('function'), function: FunctionShape });
const FlatFunctionTool = FunctionShape.extend({ type: z.literal('function') });

function fromShape(shape: z.output<typeof FunctionShape>): ToolDefinition {
  return {
    type: 'function',
    name: shape.name,
    ...(shape.description ? { description: shape.description } : {}),
    ...(shape.parameters ? { parameters: shape.parameters } : {}),
    ...(typeof shape.strict === 'boolean' ? { strict: shape.strict } : {}),
  };
}

/**
 * Decodes Responses `tools`: flat `{type:'function', name, …}` and nested (Chat-style)
 * `{type:'function', function:{…}}` function tools; any other `type` (web_search, custom,
 * namespace, …) is kept as a built-in tool with its options, for the provider to use or drop with a
 * warning. Malformed tools are reported and dropped.
 */
export function decodeTools(raw: unknown, onIssue: IssueSink): ToolDefinition[] | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!Array.isArray(raw)) {
    onIssue({
      code: 'invalid_tools',
      param: 'tools',
      message: 'tools must be an array',
      fatal: true,
    });
    return undefined;
  }
  const tools: ToolDefinition[] = [];
  raw.forEach((tool, index) => {
    const param = `tools[${index}]`;
    const type = typeof tool === 'object' && tool !== null ? (tool as { type?: unknown }).type : undefined;
    if (type === 'function') {
      const nested = NestedFunctionTool.safeParse(tool);
      const flat = nested.success ? undefined : FlatFunctionTool.safeParse(tool);
      const shape = nested.success ? nested.data.function : flat?.success ? flat.data : undefined;
      if (shape) tools.push(fromShape(shape));
      else
        onIssue({
          code: 'invalid_tool',
          param,
          message: `${param}: a function tool needs a name (string)`,
          fatal: true,
        });
      return;
    }
    if (typeof type === 'string' && type !== '') {
      const { type: _type, ...config } = tool as Record<string, unknown>;
      tools.push({ type: 'builtin', name: type, ...(Object.keys(config).length > 0 ? { config } : {}) });
      return;
    }
    onIssue({
      code: 'invalid_tool',
      param,
      message: `${param}: expected an object with a "type"`,
      fatal: true,
    });
  });
  return tools;
}

/** Decodes `tool_choice`: `auto|none|required`, `{type:'function', name}` or `{type:'function', function:{name}}`. */
export function decodeToolChoice(raw: unknown, onIssue: IssueSink): ToolChoice | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (raw === 'auto' || raw === 'none' || raw === 'required') return raw;
  if (typeof raw === 'object') {
    const choice = raw as { type?: unknown; name?: unknown; function?: { name?: unknown } };
    const name = typeof choice.name === 'string' ? choice.name : choice.function?.name;
    if (choice.type === 'function' && typeof name === 'string' && name !== '')
      return { type: 'function', name };
    if (choice.type === 'auto' || choice.type === 'none' || choice.type === 'required') return choice.type;
  }
  onIssue({
    code: 'invalid_tool_choice',
    param: 'tool_choice',
    message: 'tool_choice must be auto, none, required or {type:"function", name}; dropped',
  });
  return undefined;
}
