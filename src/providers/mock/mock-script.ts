import type { StreamEvent } from '../../core/events.js';
import { streamEvent, toolCallDone } from '../../core/events.js';
import type { CanonicalRequest, FunctionCallOutputItem, InputItem } from '../../core/request.js';
import { lastUserText, partsText } from '../../core/request.js';
import { makeUsage } from '../../core/usage.js';
import { exampleFromSchema } from './example-from-schema.js';
import type { MockMode } from './mock-models.js';

/** The fixed answer of `text` mode. */
export const MOCK_TEXT = 'Hello from the nodex mock provider. This answer arrives in several deltas.';

export const DEFAULT_MOCK_TOOL = { name: 'mock_tool', arguments: { value: 42 } } as const;

export interface MockShape {
  /** `text` mode: produce exactly this many text deltas of filler text instead of the fixed answer. */
  readonly deltas?: number;
  /** Characters per delta; without it, text is split at word boundaries. */
  readonly deltaSize?: number;
}

/** The mock's token counting rule: one token per started group of four characters. */
export function mockTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

function split(text: string, size: number | undefined): string[] {
  if (text === '') return [];
  if (size && size > 0) {
    const out: string[] = [];
    for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
    return out;
  }
  return text.match(/^\s+|\S+\s*/g) ?? [text];
}

function fillerText(deltas: number, size: number): string {
  const word = 'lorem ipsum dolor sit amet consectetur ';
  let text = '';
  while (text.length < deltas * size) text += word;
  return text.slice(0, deltas * size);
}

function inputChars(request: CanonicalRequest): string {
  let text = request.instructions ?? '';
  for (const item of request.input) text += itemText(item);
  for (const tool of request.tools ?? []) text += JSON.stringify(tool);
  return text;
}

function itemText(item: InputItem): string {
  switch (item.type) {
    case 'message':
      return partsText(item.content);
    case 'function_call':
      return item.name + item.arguments;
    case 'function_call_output':
      return outputText(item);
    case 'reasoning':
      return item.summary.join('') + (item.text ?? '');
  }
}

function outputText(item: FunctionCallOutputItem): string {
  return typeof item.output === 'string' ? item.output : partsText(item.output);
}

/** Tool outputs that answer the latest user turn (those after the last user message). */
function pendingToolOutputs(input: readonly InputItem[]): FunctionCallOutputItem[] {
  const out: FunctionCallOutputItem[] = [];
  for (let i = input.length - 1; i >= 0; i--) {
    const item = input[i];
    if (!item) continue;
    if (item.type === 'message' && item.role === 'user') break;
    if (item.type === 'function_call_output') out.unshift(item);
  }
  return out;
}

/**
 * The deterministic event sequence for a mode, without pacing (the provider adds the timing).
 * Every sequence is response_started … usage, response_completed.
 */
export function mockEvents(
  request: CanonicalRequest,
  mode: MockMode,
  responseId: string,
  shape: MockShape = {},
): StreamEvent[] {
  const events: StreamEvent[] = [
    streamEvent('response_started', { response_id: responseId, model: request.model }),
  ];
  const toolOutputs = mode === 'tool-loop' ? pendingToolOutputs(request.input) : [];
  let outputChars = '';
  if (mode === 'tool-call' || (mode === 'tool-loop' && toolOutputs.length === 0)) {
    const tool = request.tools?.find((t) => t.type === 'function');
    const name = tool?.name ?? DEFAULT_MOCK_TOOL.name;
    const args = JSON.stringify(tool ? exampleFromSchema(tool.parameters) : DEFAULT_MOCK_TOOL.arguments);
    const callId = `call_${responseId.slice(-16)}`;
    events.push(streamEvent('tool_call_started', { call_id: callId, name }));
    for (const delta of split(args, shape.deltaSize ?? 8)) {
      events.push(streamEvent('tool_call_arguments_delta', { call_id: callId, delta }));
    }
    events.push(toolCallDone(callId, name, args));
    outputChars = name + args;
  } else {
    let text: string;
    if (mode === 'tool-loop') text = toolOutputs.map((o) => `The tool returned: ${outputText(o)}`).join('\n');
    else if (mode === 'text' && shape.deltas && shape.deltas > 0)
      text = fillerText(shape.deltas, shape.deltaSize ?? 8);
    else text = mode === 'echo' ? lastUserText(request.input) : MOCK_TEXT;
    for (const delta of split(text, shape.deltaSize)) events.push(streamEvent('text_delta', { delta }));
    outputChars = text;
  }
  const usage = makeUsage({
    input_tokens: mockTokens(inputChars(request)),
    output_tokens: mockTokens(outputChars),
  });
  const calls = events.some((e) => e.type === 'tool_call_done');
  events.push(streamEvent('usage', { usage }));
  events.push(
    streamEvent('response_completed', {
      finish_reason: calls ? 'tool_calls' : 'stop',
      finish_reason_raw: calls ? 'tool_calls' : 'stop',
    }),
  );
  return events;
}
