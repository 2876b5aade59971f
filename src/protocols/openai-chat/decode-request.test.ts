import { describe, expect, it } from 'vitest';
import { NodexError } from '../../core/errors.js';
import type { Warning } from '../../core/warnings.js';
import { toolCallProviderData } from '../../providers/openai-compatible/chat-provider-data.js';
import type { RequestIssue } from '../openai-responses/request-issues.js';
import { decodeChatRequest } from './decode-request.js';

function decode(body: Record<string, unknown>) {
  const issues: RequestIssue[] = [];
  const warnings: Warning[] = [];
  const decoded = decodeChatRequest(
    { messages: [{ role: 'user', content: 'hi' }], ...body },
    { onIssue: (i) => issues.push(i), onWarning: (w) => warnings.push(w), defaultModel: 'default-model' },
  );
  return { ...decoded, issues, warnings };
}

function rejects(body: unknown, message: RegExp): void {
  try {
    decodeChatRequest(body, { onIssue: () => undefined });
    expect.unreachable(`no error for ${JSON.stringify(body)}`);
  } catch (error) {
    expect(NodexError.isInstance(error) && error.code).toBe('invalid_request');
    expect((error as Error).message).toMatch(message);
  }
}

const user = (text: string) => ({ type: 'message', role: 'user', content: [{ type: 'text', text }] });

describe('decodeChatRequest: messages', () => {
  it('maps system, developer, user text and images (string or {url, detail})', () => {
    const { request, warnings } = decode({
      messages: [
        { role: 'system', content: 'be brief' },
        { role: 'developer', content: [{ type: 'text', text: 'use tools' }] },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'what is this?' },
            { type: 'image_url', image_url: { url: 'https://x/cat.png', detail: 'low' } },
            { type: 'image_url', image_url: 'data:image/png;base64,AAAA' },
          ],
        },
      ],
    });
    expect(request.input).toEqual([
      { type: 'message', role: 'system', content: [{ type: 'text', text: 'be brief' }] },
      { type: 'message', role: 'developer', content: [{ type: 'text', text: 'use tools' }] },
      {
        type: 'message',
        role: 'user',
        content: [
          { type: 'text', text: 'what is this?' },
          { type: 'image', image_url: 'https://x/cat.png', detail: 'low' },
          { type: 'image', image_url: 'data:image/png;base64,AAAA' },
        ],
      },
    ]);
    expect(warnings).toEqual([]);
  });

  it('turns one assistant message with several calls into its text, then every call in order', () => {
    const { request } = decode({
      messages: [
        { role: 'user', content: 'weather and time?' },
        {
          role: 'assistant',
          content: 'Checking both.',
          tool_calls: [
            {
              id: 'call_a',
              type: 'function',
              function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
            },
            { id: 'call_b', type: 'function', function: { name: 'get_time', arguments: '{}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_a', content: 'sunny' },
        { role: 'tool', tool_call_id: 'call_b', content: [{ type: 'text', text: '12:00' }] },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'call_c', type: 'function', function: { name: 'f', arguments: '' } }],
        },
      ],
    });
    expect(request.input).toEqual([
      user('weather and time?'),
      { type: 'message', role: 'assistant', content: [{ type: 'text', text: 'Checking both.' }] },
      { type: 'function_call', call_id: 'call_a', name: 'get_weather', arguments: '{"city":"Paris"}' },
      { type: 'function_call', call_id: 'call_b', name: 'get_time', arguments: '{}' },
      { type: 'function_call_output', call_id: 'call_a', output: 'sunny' },
      { type: 'function_call_output', call_id: 'call_b', output: [{ type: 'text', text: '12:00' }] },
      // content null (or ''): only the call, no empty assistant message (wire.md §7 item 1)
      { type: 'function_call', call_id: 'call_c', name: 'f', arguments: '' },
    ]);
  });

  it("restores a call's extra_content thought signature as the Gemini provider's provider_data", () => {
    const extra = { google: { thought_signature: 'CiQBsig==' } };
    const { request } = decode({
      messages: [
        { role: 'user', content: 'hi' },
        {
          role: 'assistant',
          content: '',
          tool_calls: [
            { id: 'jm4o', type: 'function', function: { name: 'f', arguments: '{}' }, extra_content: extra },
          ],
        },
      ],
    });
    expect(request.input[1]).toEqual({
      type: 'function_call',
      call_id: 'jm4o',
      name: 'f',
      arguments: '{}',
      provider_data: toolCallProviderData(extra),
    });
  });

  it('maps the legacy function_call / function pair with generated, matching call ids', () => {
    const { request } = decode({
      messages: [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: null, function_call: { name: 'lookup', arguments: '{"q":1}' } },
        { role: 'function', name: 'lookup', content: 'found' },
      ],
    });
    expect(request.input.slice(1)).toEqual([
      { type: 'function_call', call_id: 'call_legacy_1', name: 'lookup', arguments: '{"q":1}' },
      { type: 'function_call_output', call_id: 'call_legacy_1', output: 'found' },
    ]);
  });

  it('drops what has no canonical form with a warning: audio/file parts, refusals text, names, custom calls', () => {
    const { request, warnings } = decode({
      messages: [
        {
          role: 'user',
          name: 'ann',
          content: [
            { type: 'input_audio', input_audio: { data: 'x', format: 'wav' } },
            { type: 'text', text: 'keep' },
          ],
        },
        { role: 'system', content: [{ type: 'image_url', image_url: 'https://x/y.png' }] },
        {
          role: 'assistant',
          content: [{ type: 'refusal', refusal: 'I cannot.' }],
          reasoning_content: 'thought',
          tool_calls: [{ id: 'c', type: 'custom', custom: { name: 'g', input: 'x' } }],
        },
        { role: 'assistant', content: '' },
      ],
    });
    expect(request.input).toEqual([
      user('keep'),
      { type: 'message', role: 'assistant', content: [{ type: 'text', text: 'I cannot.' }] },
    ]);
    expect(warnings.map((w) => w.feature)).toEqual([
      'messages.name',
      'content.input_audio',
      'content.image_url',
      'messages.empty',
      'tool_calls.custom',
      'messages.reasoning_content',
      'messages.assistant',
    ]);
  });

  it('rejects invalid shapes with an error naming the path', () => {
    const ok = { role: 'user', content: 'ok' };
    const cases: Array<[unknown, RegExp]> = [
      [{ messages: [ok, ok, { role: 'tool', content: 'x' }] }, /^messages\[2\]\.tool_call_id: is required/],
      [{ messages: [{ content: 'x' }] }, /^messages\[0\]\.role: is required/],
      [{ messages: [{ role: 'wizard', content: 'x' }] }, /^messages\[0\]\.role: unknown role "wizard"/],
      [{ messages: [ok, 'hi'] }, /^messages\[1\]: expected an object/],
      [{ messages: [{ role: 'user' }] }, /^messages\[0\]\.content: is required/],
      [
        { messages: [{ role: 'user', content: 7 }] },
        /^messages\[0\]\.content: expected a string or an array/,
      ],
      [
        { messages: [{ role: 'user', content: [{ type: 'text' }] }] },
        /^messages\[0\]\.content\[0\]\.text: is required/,
      ],
      [
        {
          messages: [
            { role: 'assistant', tool_calls: [{ id: 'c', type: 'function', function: { arguments: '{}' } }] },
          ],
        },
        /^messages\[0\]\.tool_calls\[0\]\.function\.name: is required/,
      ],
      [{ messages: {} }, /^messages: expected an array/],
      [{}, /^messages: is required/],
      [{ messages: [] }, /^messages: must contain at least one message/],
      [[1], /^request body: expected a JSON object/],
    ];
    for (const [body, message] of cases) rejects(body, message);
  });
});

describe('decodeChatRequest: parameters', () => {
  it('maps every supported parameter onto the canonical request', () => {
    const { request, stream, extras, issues } = decode({
      model: 'gpt-5',
      tools: [
        {
          type: 'function',
          function: { name: 'f', description: 'd', parameters: { type: 'object' }, strict: true },
        },
      ],
      tool_choice: { type: 'function', function: { name: 'f' } },
      parallel_tool_calls: false,
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'w', schema: { type: 'object' }, strict: true, description: 'x' },
      },
      max_completion_tokens: 100,
      temperature: 0.5,
      top_p: 0.9,
      stop: 'END',
      reasoning_effort: 'high',
      user: 'u1',
      metadata: { k: 'v' },
      prompt_cache_key: 'pk',
      stream: true,
      stream_options: { include_usage: true },
      n: 1,
      presence_penalty: 0,
      logprobs: false,
    });
    expect(issues).toEqual([]);
    expect(stream).toBe(true);
    expect(extras).toEqual({ includeUsage: true });
    expect(request).toEqual({
      model: 'gpt-5',
      input: [user('hi')],
      tools: [
        { type: 'function', name: 'f', description: 'd', parameters: { type: 'object' }, strict: true },
      ],
      tool_choice: { type: 'function', name: 'f' },
      parallel_tool_calls: false,
      reasoning: { effort: 'high' },
      text: {
        format: {
          type: 'json_schema',
          name: 'w',
          schema: { type: 'object' },
          strict: true,
          description: 'x',
        },
      },
      max_output_tokens: 100,
      temperature: 0.5,
      top_p: 0.9,
      stop: ['END'],
      metadata: { k: 'v' },
      user: 'u1',
      prompt_cache_key: 'pk',
    });
  });

  it('reads max_tokens, stop arrays, json_object, string tool choices and include_usage only when streaming', () => {
    const a = decode({
      max_tokens: 7,
      stop: ['a', 'b'],
      response_format: { type: 'json_object' },
      tool_choice: 'required',
    });
    expect(a.request).toMatchObject({
      max_output_tokens: 7,
      stop: ['a', 'b'],
      text: { format: { type: 'json_object' } },
      tool_choice: 'required',
    });
    expect(a.stream).toBe(false);
    expect(a.extras).toEqual({ includeUsage: false });
    const b = decode({
      stream: true,
      tool_choice: 'none',
      response_format: { type: 'text' },
      safety_identifier: 's1',
    });
    expect(b.request).toMatchObject({ tool_choice: 'none', text: { format: { type: 'text' } }, user: 's1' });
    expect(b.extras).toEqual({ includeUsage: false });
  });

  it('maps the legacy functions / function_call parameters when tools are absent', () => {
    const { request, issues } = decode({
      functions: [{ name: 'lookup', parameters: { type: 'object' } }],
      function_call: { name: 'lookup' },
    });
    expect(issues).toEqual([]);
    expect(request.tools).toEqual([{ type: 'function', name: 'lookup', parameters: { type: 'object' } }]);
    expect(request.tool_choice).toEqual({ type: 'function', name: 'lookup' });
    expect(decode({ functions: [{}] }).issues).toMatchObject([
      { code: 'invalid_tool', param: 'functions[0]', fatal: true },
    ]);
  });

  it('reports unsupported parameters (non-default values only) and drops them', () => {
    const { request, issues } = decode({
      n: 2,
      logprobs: true,
      top_logprobs: 3,
      logit_bias: { '50256': -100 },
      presence_penalty: 0.5,
      frequency_penalty: 1,
      seed: 42,
      modalities: ['text', 'audio'],
      audio: { voice: 'alloy', format: 'wav' },
      store: true,
      weird: 1,
    });
    expect(issues.map((i) => [i.code, i.param])).toEqual([
      ['unsupported_parameter', 'n'],
      ['unsupported_parameter', 'logprobs'],
      ['unsupported_parameter', 'top_logprobs'],
      ['unsupported_parameter', 'logit_bias'],
      ['unsupported_parameter', 'presence_penalty'],
      ['unsupported_parameter', 'frequency_penalty'],
      ['unsupported_parameter', 'seed'],
      ['unsupported_parameter', 'modalities'],
      ['unsupported_parameter', 'audio'],
      ['unsupported_parameter', 'store'],
      ['unsupported_parameter', 'weird'],
    ]);
    expect(issues.some((i) => i.fatal)).toBe(false);
    expect(request).toEqual({ model: 'default-model', input: [user('hi')] });
  });

  it('reports and drops invalid values; marks what can never pass as fatal', () => {
    const { request, issues } = decode({
      temperature: 3,
      top_p: 0,
      max_completion_tokens: 1.5,
      stop: 5,
      reasoning_effort: 'extreme',
      metadata: { a: 1 },
      parallel_tool_calls: 'yes',
      tool_choice: 'maybe',
      stream_options: 'x',
      response_format: { type: 'json_schema', json_schema: { name: 'w' } },
      tools: [{ type: 'function' }],
    });
    expect(request).toEqual({ model: 'default-model', input: [user('hi')] });
    expect(issues.map((i) => `${i.code}${i.fatal ? '!' : ''}`)).toEqual([
      'invalid_tool!',
      'invalid_tool_choice',
      'invalid_response_format!',
      'invalid_reasoning_effort',
      'out_of_range_max_completion_tokens',
      'out_of_range_temperature',
      'out_of_range_top_p',
      'invalid_stop',
      'invalid_metadata',
      'invalid_parallel_tool_calls',
      'invalid_stream_options',
    ]);
    const noModel = decodeChatRequest(
      { messages: [{ role: 'user', content: 'x' }] },
      { onIssue: (i) => issues.push(i) },
    );
    expect(noModel.request.model).toBe('');
    expect(issues.at(-1)).toMatchObject({ code: 'invalid_model', fatal: true });
  });

  it('prefers max_completion_tokens over max_tokens and tools over functions, reporting the loser', () => {
    const { request, issues } = decode({
      max_completion_tokens: 10,
      max_tokens: 20,
      tools: [{ type: 'function', function: { name: 'a' } }],
      functions: [{ name: 'b' }],
      tool_choice: 'auto',
      function_call: 'none',
    });
    expect(request).toMatchObject({ max_output_tokens: 10, tools: [{ name: 'a' }], tool_choice: 'auto' });
    expect(issues.map((i) => i.param).sort()).toEqual(['function_call', 'functions', 'max_tokens']);
  });
});
