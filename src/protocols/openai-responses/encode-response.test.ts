import { describe, expect, it } from 'vitest';
import { accumulate } from '../../core/accumulate.js';
import type { StreamEvent } from '../../core/events.js';
import { streamEvent } from '../../core/events.js';
import { fixtureEvents } from '../../testing/fixtures.js';
import { encodeResponsesResponse } from './encode-response.js';

describe('encodeResponsesResponse', () => {
  it('renders the codex text turn as an OpenAI Response with reasoning and message items', () => {
    const response = accumulate(fixtureEvents<StreamEvent>('codex-text.events.jsonl'));
    const body = encodeResponsesResponse(response, {
      model: 'gpt-5.5',
      input: [],
      instructions: 'Be brief.',
      metadata: { k: 'v' },
    });
    expect(body).toMatchObject({
      id: 'resp_0f1e2d3c4b5a69780f1e2d3c4b5a69780f1e2d3c4b5a6978',
      object: 'response',
      created_at: 1767225600,
      status: 'completed',
      output_text: 'Hello! How can I help you today?',
      usage: {
        input_tokens: 2317,
        input_tokens_details: { cached_tokens: 1920 },
        output_tokens: 58,
        output_tokens_details: { reasoning_tokens: 42 },
        total_tokens: 2375,
      },
      instructions: 'Be brief.',
      metadata: { k: 'v' },
      incomplete_details: null,
      error: null,
    });
    expect(body.output[0]).toMatchObject({
      type: 'reasoning',
      id: 'rs_0f1e2d3c4b5a69780a1b2c3d4e5f60718293a4b5c6d7e8f9',
      summary: [{ type: 'summary_text', text: expect.stringContaining('Greeting') }],
      encrypted_content: expect.stringMatching(/^gAAAA/),
    });
    expect(body.output[1]).toEqual({
      type: 'message',
      id: 'msg_4b5a69780f1e2d3c4b5a6978_1',
      status: 'completed',
      role: 'assistant',
      content: [
        { type: 'output_text', text: 'Hello! How can I help you today?', annotations: [], logprobs: [] },
      ],
    });
  });

  it('renders function calls, incomplete details and errors', () => {
    const tool = encodeResponsesResponse(
      accumulate(fixtureEvents<StreamEvent>('codex-tool-call.events.jsonl')),
    );
    expect(tool.output[1]).toEqual({
      type: 'function_call',
      id: expect.stringMatching(/^fc_/),
      call_id: 'call_Xk3b9QmT2vL8pR4sN6wY1zA0',
      name: 'shell',
      arguments: '{"command":["bash","-lc","ls -la"],"workdir":"/tmp"}',
      status: 'completed',
    });
    const started = streamEvent('response_started', { response_id: 'resp_x', model: 'm', created_at: 1 });
    const cut = encodeResponsesResponse(
      accumulate([
        started,
        streamEvent('response_completed', {
          finish_reason: 'length',
          finish_reason_raw: 'max_output_tokens',
        }),
      ]),
    );
    expect(cut).toMatchObject({ status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } });
    const failed = encodeResponsesResponse(
      accumulate([
        started,
        streamEvent('error', { error: 'boom', code: 'stream_error', status: 502, retryable: false }),
      ]),
    );
    expect(failed).toMatchObject({
      status: 'failed',
      error: { code: 'stream_error', message: 'boom' },
      usage: null,
    });
  });
});
