import { accumulate } from '../core/accumulate.js';
import { errorFromEvent, NodexError } from '../core/errors.js';
import type { StreamEvent, ToolCall } from '../core/events.js';
import { parseToolArguments } from '../core/events.js';
import type { Provider, ProviderCallContext } from '../core/provider.js';
import type {
  CanonicalRequest,
  FunctionCallItem,
  FunctionCallOutputItem,
  InputItem,
} from '../core/request.js';
import type { CanonicalResponse } from '../core/response.js';
import { addUsage, type TokenUsage } from '../core/usage.js';

/** Runs one tool call; what it returns is the tool output (strings as they are, other values as JSON). */
export type ToolHandler = (args: Readonly<Record<string, unknown>> | null, call: ToolCall) => unknown;

/** Handlers by tool name, or one function for every call. */
export type ToolHandlers = Readonly<Record<string, ToolHandler>> | ((call: ToolCall) => unknown);

export interface ToolLoopOptions {
  /** Model calls allowed (default 10). */
  readonly maxTurns?: number;
  /** Passed to every provider call (signal, warnings, provider key…). */
  readonly context?: ProviderCallContext;
  /** Every event of every turn, as it arrives. */
  readonly onEvent?: (event: StreamEvent, turn: number) => void;
  /** Every tool output, once the handler has run. */
  readonly onToolOutput?: (output: FunctionCallOutputItem & { readonly name: string }, turn: number) => void;
}

export interface ToolLoopResult {
  /** The final turn's response (the one without tool calls). */
  readonly response: CanonicalResponse;
  readonly turns: number;
  /** Usage summed over every turn. */
  readonly usage: TokenUsage | null;
  /** The whole conversation: the request's input, every turn's output items and tool outputs. */
  readonly input: readonly InputItem[];
}

function asOutput(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? 'null');
}

/**
 * Runs one call with its handler. A NodexError from a handler stops the loop (the caller decided it
 * cannot go on); any other failure, and an unknown tool, goes back to the model as `{"error": …}`
 * so it can correct itself.
 */
export async function runToolCall(handlers: ToolHandlers, call: FunctionCallItem): Promise<string> {
  const toolCall: ToolCall = {
    id: call.call_id,
    name: call.name,
    arguments_json: call.arguments,
    arguments: parseToolArguments(call.arguments),
  };
  const handler =
    typeof handlers === 'function' ? (_args: unknown, c: ToolCall) => handlers(c) : handlers[call.name];
  if (!handler) return JSON.stringify({ error: `tool not found: ${call.name}` });
  try {
    return asOutput(await handler(toolCall.arguments, toolCall));
  } catch (error) {
    if (NodexError.isInstance(error)) throw error;
    return JSON.stringify({ error: error instanceof Error ? error.message || error.name : String(error) });
  }
}

/**
 * The tool loop over any provider, at the canonical level: stream a turn, run every tool call it
 * makes, send the whole conversation back (input + output items + tool outputs: stateless
 * backends need all of it), repeat until a turn calls no tool.
 *
 * @example
 * const { response } = await runToolLoop(provider, request, { get_weather: ({ city }) => ({ city, temp: 21 }) });
 */
export async function runToolLoop(
  provider: Provider,
  request: CanonicalRequest,
  handlers: ToolHandlers,
  options: ToolLoopOptions = {},
): Promise<ToolLoopResult> {
  const maxTurns = options.maxTurns ?? 10;
  let input: InputItem[] = [...request.input];
  let usage: TokenUsage | null = null;
  for (let turn = 1; turn <= maxTurns; turn++) {
    const events: StreamEvent[] = [];
    for await (const event of provider.stream({ ...request, input }, options.context)) {
      events.push(event);
      options.onEvent?.(event, turn);
    }
    const response = accumulate(events);
    const failure = events.find((e) => e.type === 'error');
    if (failure?.type === 'error') throw errorFromEvent(failure);
    if (response.error)
      throw new NodexError(
        options.context?.signal?.aborted ? 'aborted' : 'stream_error',
        response.error.message,
      );
    if (response.usage) usage = usage ? addUsage(usage, response.usage) : response.usage;
    const calls = response.output.filter((item): item is FunctionCallItem => item.type === 'function_call');
    if (calls.length === 0) return { response, turns: turn, usage, input: [...input, ...response.output] };
    const outputs: FunctionCallOutputItem[] = [];
    for (const call of calls) {
      const output = {
        type: 'function_call_output' as const,
        call_id: call.call_id,
        output: await runToolCall(handlers, call),
      };
      options.onToolOutput?.({ ...output, name: call.name }, turn);
      outputs.push(output);
    }
    input = [...input, ...response.output, ...outputs];
  }
  throw new NodexError(
    'tool_loop_limit',
    `the tool loop reached its limit of ${maxTurns} turns without a final answer`,
  );
}
