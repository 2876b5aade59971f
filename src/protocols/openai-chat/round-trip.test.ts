import { describe, expect, it } from 'vitest';
import { accumulate } from '../../core/accumulate.js';
import type { StreamEvent } from '../../core/events.js';
import type { CanonicalRequest } from '../../core/request.js';
import { toolCallProviderData } from '../../providers/openai-compatible/chat-provider-data.js';
import { convertToChatRequest } from '../../providers/openai-compatible/convert-to-chat-request.js';
import { ChatStreamDecoder } from '../../providers/openai-compatible/decode-chat-stream.js';
import { parseSseText } from '../../sse/parse-sse.js';
import { decodeSseJson } from '../../sse/sse-json.js';
import { fixtureEvents } from '../../testing/fixtures.js';
import type { RequestIssue } from '../openai-responses/request-issues.js';
import { decodeChatRequest } from './decode-request.js';
import { providerDataOfExtraContent, reasoningText } from './encode-response.js';
import { ChatStreamEncoder } from './encode-stream.js';
import { openaiChatProtocol } from './index.js';

/** Canonical events → our SSE → nodex's own Chat decoder (the openai-compatible provider's) → events. */
function hub(events: readonly StreamEvent[], requestedModel = 'm'): StreamEvent[] {
  const encoder = new ChatStreamEncoder({
    request: { model: requestedModel, input: [] },
    requestedModel,
    requestId: 'req_rt',
    extras: { includeUsage: true },
  });
  const sse = events.map((e) => encoder.event(e)).join('') + encoder.end();
  const decoder = new ChatStreamDecoder();
  const out: StreamEvent[] = [];
  for (const message of parseSseText(sse)) {
    const decoded = decodeSseJson(message);
    if (decoded.kind === 'done') out.push(...decoder.done());
    else if (decoded.kind === 'json') out.push(...decoder.push(decoded.value));
  }
  out.push(...decoder.end());
  return out;
}

/** What a Chat client can see of a response: text, reasoning text, calls, finish, usage, error. */
function content(events: readonly StreamEvent[]) {
  const response = accumulate(events);
  return {
    text: response.output_text,
    reasoning: response.output
      .flatMap((item) => (item.type === 'reasoning' ? [reasoningText(item)] : []))
      .filter(Boolean)
      .join('\n\n'),
    calls: response.output.flatMap((item) =>
      item.type === 'function_call'
        ? [
            {
              call_id: item.call_id,
              name: item.name,
              arguments: item.arguments,
              provider_data: item.provider_data,
            },
          ]
        : [],
    ),
    finish: response.finish_reason,
    // Chat has no field for cache writes (Anthropic); the stream's usage is not sent on failure.
    usage: response.error || !response.usage ? null : { ...response.usage, cache_write_tokens: 0 },
    error: response.error?.message ?? null,
  };
}

describe('hub round trip: canonical events → Chat SSE → ChatStreamDecoder', () => {
  for (const name of [
    'chat-completions-text',
    'chat-completions-tool-call',
    'chat-completions-parallel-tool-calls',
    'chat-completions-length',
    'chat-completions-refusal',
  ]) {
    it(`${name}: gives back exactly the events the capture decodes to`, () => {
      const events = fixtureEvents<StreamEvent>(`${name}.events.jsonl`);
      const model = events[0]?.type === 'response_started' ? events[0].model : '';
      expect(hub(events, model)).toEqual(events);
    });
  }

  const all = [
    'anthropic-max-tokens',
    'anthropic-parallel-tool-use',
    'anthropic-stream-error',
    'anthropic-text',
    'anthropic-thinking',
    'anthropic-tool-use',
    'codex-failed',
    'codex-incomplete',
    'codex-parallel-tool-calls',
    'codex-reasoning-summary',
    'codex-stream-error',
    'codex-text-without-deltas',
    'codex-text',
    'codex-tool-call',
    'gemini-openai-parallel-tool-calls',
    'gemini-openai-text',
    'gemini-openai-tool-call',
  ];
  for (const name of all) {
    it(`${name}: keeps text, reasoning text, calls with arguments and provider data, finish and usage`, () => {
      const events = fixtureEvents<StreamEvent>(`${name}.events.jsonl`);
      const before = content(events);
      const after = content(hub(events));
      expect(after).toEqual({
        ...before,
        error: before.error === null ? null : expect.stringContaining(before.error),
      });
    });
  }
});

describe('request round trip: canonical → the Chat body nodex sends upstream → decodeChatRequest', () => {
  const signature = { google: { thought_signature: 'CiQBsig==' } };
  const request: CanonicalRequest = {
    model: 'gpt-4o',
    input: [
      { type: 'message', role: 'system', content: [{ type: 'text', text: 'be brief' }] },
      {
        type: 'message',
        role: 'user',
        content: [
          { type: 'text', text: 'look' },
          { type: 'image', image_url: 'https://x/a.png', detail: 'high' },
        ],
      },
      { type: 'message', role: 'assistant', content: [{ type: 'text', text: 'calling' }] },
      { type: 'function_call', call_id: 'c1', name: 'f', arguments: '{"a":1}' },
      { type: 'function_call', call_id: 'c2', name: 'g', arguments: '{}' },
      { type: 'function_call_output', call_id: 'c1', output: 'one' },
      { type: 'function_call_output', call_id: 'c2', output: 'two' },
    ],
    tools: [
      { type: 'function', name: 'f', description: 'd', parameters: { type: 'object' }, strict: true },
      { type: 'function', name: 'g' },
    ],
    tool_choice: { type: 'function', name: 'f' },
    parallel_tool_calls: false,
    reasoning: { effort: 'low' },
    text: { format: { type: 'json_schema', name: 'out', schema: { type: 'object' }, strict: true } },
    max_output_tokens: 50,
    temperature: 0.2,
    top_p: 0.5,
    stop: ['X'],
    user: 'u',
    prompt_cache_key: 'k',
  };

  it('decodes the body back to the same canonical request, with include_usage', () => {
    const issues: RequestIssue[] = [];
    const body = convertToChatRequest(request, { dialect: 'openai' });
    const decoded = openaiChatProtocol.decodeRequest(body, { onIssue: (i) => issues.push(i) });
    expect(issues).toEqual([]);
    expect(decoded).toEqual({ request, stream: true, extras: { includeUsage: true } });
  });

  it("keeps a Gemini call's thought signature across the trip", () => {
    const input = [
      { type: 'message' as const, role: 'user' as const, content: [{ type: 'text' as const, text: 'hi' }] },
      {
        type: 'function_call' as const,
        call_id: 'jm4o',
        name: 'f',
        arguments: '{}',
        provider_data: toolCallProviderData(signature),
      },
      { type: 'function_call_output' as const, call_id: 'jm4o', output: 'ok' },
    ];
    const body = convertToChatRequest({ model: 'gemini-3-flash', input }, { dialect: 'gemini' });
    expect(decodeChatRequest(body, { onIssue: () => undefined }).request.input).toEqual(input);
  });

  it("uses the Gemini provider's provider_data key", () => {
    expect(providerDataOfExtraContent(signature)).toEqual(toolCallProviderData(signature));
  });
});
