import { describe, expect, it } from 'vitest';
import { accumulate } from '../../core/accumulate.js';
import type { StreamEvent } from '../../core/events.js';
import { streamEvent } from '../../core/events.js';
import { fixtureEvents } from '../../testing/fixtures.js';
import type { EncodeContext } from '../client-protocol.js';
import { chatCompletionId, encodeChatResponse } from './encode-response.js';

const context: EncodeContext = {
  request: { model: 'alias', input: [] },
  requestedModel: 'alias',
  requestId: 'req_9',
};
const response = (name: string) =>
  encodeChatResponse(accumulate(fixtureEvents<StreamEvent>(`${name}.events.jsonl`)), context);

describe('encodeChatResponse', () => {
  it('renders a text turn with reasoning_content and usage', () => {
    expect(response('codex-reasoning-summary')).toEqual({
      id: 'chatcmpl-1a2b3c4d5e6f70811a2b3c4d5e6f70811a2b3c4d5e6f7081',
      object: 'chat.completion',
      created: 1767229200,
      model: 'alias',
      system_fingerprint: null,
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: '17 × 23 = 391.',
            refusal: null,
            reasoning_content:
              '**Checking the math**\n\n17 × 23: 17 × 20 = 340, plus 51.\n\n**Answering**\n\nThe product is 391.',
          },
          logprobs: null,
          finish_reason: 'stop',
        },
      ],
      usage: {
        prompt_tokens: 1203,
        completion_tokens: 188,
        total_tokens: 1391,
        prompt_tokens_details: { cached_tokens: 1024 },
        completion_tokens_details: { reasoning_tokens: 160 },
      },
    });
  });

  it('sets content null for a tool-only turn and carries extra_content on calls', () => {
    const body = response('gemini-openai-tool-call');
    expect(body.choices[0].message).toEqual({
      role: 'assistant',
      content: null,
      refusal: null,
      tool_calls: [
        {
          id: 'jm4owj31',
          type: 'function',
          function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
          extra_content: {
            google: { thought_signature: 'CiQBjz1rX8Xq0Zb3Jm5tYWtlLWJlbGlldmUtc2lnbmF0dXJl' },
          },
        },
      ],
    });
    expect(body.choices[0].finish_reason).toBe('tool_calls');
    expect(response('anthropic-parallel-tool-use').choices[0].message.content).toBe('Checking both.');
  });

  it("has content '' and no usage when nothing came back, and length for a cut-off turn", () => {
    const started = streamEvent('response_started', { response_id: '', model: 'm', created_at: 1 });
    const body = encodeChatResponse(
      accumulate([started, streamEvent('response_completed', { finish_reason: 'length' })]),
      context,
    );
    expect(body.choices[0]).toMatchObject({ message: { content: '' }, finish_reason: 'length' });
    expect(body).not.toHaveProperty('usage');
    expect(body.id).toBe('chatcmpl-9');
  });
});

describe('chatCompletionId', () => {
  it('keeps chatcmpl- ids, strips a word_ prefix, falls back to the request id', () => {
    expect(chatCompletionId('chatcmpl-abc', 'req_1')).toBe('chatcmpl-abc');
    expect(chatCompletionId('msg_01X', 'req_1')).toBe('chatcmpl-01X');
    expect(chatCompletionId('Xk2fZ9aLKc-vkdUPq7mH8Qs', 'req_1')).toBe('chatcmpl-Xk2fZ9aLKc-vkdUPq7mH8Qs');
    expect(chatCompletionId('', 'req_1')).toBe('chatcmpl-1');
  });
});
