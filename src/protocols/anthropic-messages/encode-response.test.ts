import { describe, expect, it } from 'vitest';
import { accumulate } from '../../core/accumulate.js';
import type { StreamEvent } from '../../core/events.js';
import type { CanonicalResponse } from '../../core/response.js';
import { makeUsage } from '../../core/usage.js';
import { fixtureEvents } from '../../testing/fixtures.js';
import type { EncodeContext } from '../client-protocol.js';
import { decodeAnthropicRequest } from './decode-request.js';
import { anthropicStopReason, encodeAnthropicResponse } from './encode-response.js';

const context: EncodeContext = {
  request: { model: 'gpt-5.5', input: [] },
  requestedModel: 'sonnet',
  requestId: 'req_1',
};

const response = (extra: Partial<CanonicalResponse>): CanonicalResponse => ({
  id: 'resp_abc',
  model: 'gpt-5.5',
  created_at: 0,
  status: 'completed',
  output: [],
  output_text: '',
  usage: null,
  finish_reason: 'stop',
  error: null,
  ...extra,
});

describe('encodeAnthropicResponse', () => {
  it('renders the Message object: blocks in order, msg_ id, requested model, usage without cache tokens', () => {
    const message = encodeAnthropicResponse(
      response({
        output: [
          { type: 'reasoning', summary: [], text: 't', provider_data: { anthropic: { signature: 'sig' } } },
          {
            type: 'message',
            role: 'assistant',
            content: [
              { type: 'text', text: '' },
              { type: 'text', text: 'Hi' },
            ],
          },
          { type: 'function_call', call_id: 'call.9', name: 'f', arguments: '{"a":1}' },
          { type: 'function_call', call_id: 'call_2', name: 'g', arguments: 'not json' },
        ],
        finish_reason: 'tool_calls',
        usage: makeUsage({ input_tokens: 50, output_tokens: 5, cached_tokens: 20, cache_write_tokens: 10 }),
      }),
      context,
    );
    expect(message).toEqual({
      id: 'msg_abc',
      type: 'message',
      role: 'assistant',
      model: 'sonnet',
      content: [
        { type: 'thinking', thinking: 't', signature: 'sig' },
        { type: 'text', text: 'Hi' },
        { type: 'tool_use', id: 'toolu_nx_Y2FsbC45', name: 'f', input: { a: 1 } },
        { type: 'tool_use', id: 'call_2', name: 'g', input: {} },
      ],
      stop_reason: 'tool_use',
      stop_sequence: null,
      usage: {
        input_tokens: 20,
        output_tokens: 5,
        cache_creation_input_tokens: 10,
        cache_read_input_tokens: 20,
      },
    });
  });

  it.each([
    ['stop', undefined, false, 'end_turn'],
    ['stop', 'stop_sequence', false, 'stop_sequence'],
    ['stop', 'pause_turn', false, 'pause_turn'],
    ['stop', 'completed', true, 'tool_use'],
    ['tool_calls', 'tool_use', true, 'tool_use'],
    ['length', 'max_output_tokens', false, 'max_tokens'],
    ['length', 'model_context_window_exceeded', false, 'model_context_window_exceeded'],
    ['content_filter', 'content_filter', false, 'refusal'],
    ['error', undefined, false, 'end_turn'],
  ] as const)('finish %s (raw %s, calls %s) → %s', (finish, raw, calls, expected) => {
    expect(anthropicStopReason(finish, raw, calls)).toBe(expected);
  });
});

describe('decode(encode(x)): a response sent back as the next request’s assistant turn', () => {
  // What Claude Code does with every answer: the Message content goes back verbatim in `messages`.
  it.each([
    'anthropic-thinking',
    'anthropic-parallel-tool-use',
    'codex-reasoning-summary',
    'codex-parallel-tool-calls',
    'gemini-openai-parallel-tool-calls',
    'chat-completions-tool-call',
  ])('%s: the same canonical items come back', (name) => {
    const output = accumulate(fixtureEvents<StreamEvent>(`${name}.events.jsonl`)).output;
    const message = encodeAnthropicResponse(accumulate(fixtureEvents(`${name}.events.jsonl`)), context);
    const { request } = decodeAnthropicRequest(
      {
        model: 'sonnet',
        max_tokens: 100,
        messages: [
          { role: 'user', content: 'q' },
          { role: 'assistant', content: message.content },
        ],
      },
      { onIssue: () => {} },
    );
    // Item ids are not part of the Anthropic wire (packReasoning carries none either), and `input`
    // is an object on the wire: the arguments come back as its compact JSON.
    const expected = output.map(({ id: _id, ...item }) =>
      item.type === 'function_call'
        ? { ...item, arguments: JSON.stringify(JSON.parse(item.arguments)) }
        : item,
    );
    expect(request.input.slice(1)).toEqual(expected);
  });
});
