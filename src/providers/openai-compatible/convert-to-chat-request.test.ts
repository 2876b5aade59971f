import { describe, expect, it } from 'vitest';
import type { CanonicalRequest, InputItem } from '../../core/request.js';
import { userText } from '../../core/request.js';
import { collectWarnings } from '../../core/warnings.js';
import { toolCallProviderData } from './chat-provider-data.js';
import { convertToChatRequest } from './convert-to-chat-request.js';

const SIGNED = toolCallProviderData({ google: { thought_signature: 'sig-1' } });

function convert(request: Partial<CanonicalRequest>, dialect: 'openai' | 'gemini' = 'openai') {
  const { warnings, sink } = collectWarnings();
  const body = convertToChatRequest({ model: 'qwen-2.5', input: [], ...request }, { dialect }, sink);
  return { body, warnings: warnings.map((w) => w.feature) };
}

const history: InputItem[] = [
  userText('Weather in Paris and time in Tokyo?'),
  { type: 'reasoning', summary: ['thinking'], encrypted_content: 'enc' },
  { type: 'message', role: 'assistant', content: [{ type: 'text', text: 'Let me check.' }] },
  {
    type: 'function_call',
    call_id: 'c1',
    name: 'get_weather',
    arguments: '{"city":"Paris"}',
    provider_data: SIGNED,
  },
  { type: 'reasoning', summary: [] },
  { type: 'function_call', call_id: 'c2', name: 'get_time', arguments: '' },
  { type: 'function_call_output', call_id: 'c1', output: '{"temp":21}' },
  { type: 'function_call_output', call_id: 'c2', output: [{ type: 'text', text: '09:00' }] },
];

describe('convertToChatRequest: messages (wire.md §7)', () => {
  it('puts every call of one assistant turn in ONE message, tool results as tool messages', () => {
    const { body, warnings } = convert({ instructions: 'Be brief.', input: history });
    expect(body.messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Weather in Paris and time in Tokyo?' },
      {
        role: 'assistant',
        content: 'Let me check.',
        tool_calls: [
          { id: 'c1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
          { id: 'c2', type: 'function', function: { name: 'get_time', arguments: '{}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'c1', content: '{"temp":21}' },
      { role: 'tool', tool_call_id: 'c2', content: '09:00' },
    ]);
    expect(warnings).toEqual(['function_call.provider_data', 'input.reasoning']);
  });

  it('sends content null for a tool-only turn', () => {
    const { body } = convert({
      input: history.filter((item) => item.type !== 'message' || item.role !== 'assistant'),
    });
    expect(body.messages[1]).toMatchObject({ role: 'assistant', content: null });
  });

  it('echoes the Gemini thought signature on the call it came with (gemini dialect only)', () => {
    const { body, warnings } = convert({ input: history }, 'gemini');
    const assistant = body.messages.find((m) => m.role === 'assistant');
    expect(assistant).toMatchObject({
      tool_calls: [{ id: 'c1', extra_content: { google: { thought_signature: 'sig-1' } } }, { id: 'c2' }],
    });
    expect(assistant?.role === 'assistant' && assistant.tool_calls?.[1]).not.toHaveProperty('extra_content');
    expect(warnings).toEqual(['input.reasoning']);
  });

  it('keeps separate turns apart, maps developer to system, images to image_url parts', () => {
    const { body } = convert({
      input: [
        { type: 'message', role: 'developer', content: [{ type: 'text', text: 'Dev.' }] },
        {
          type: 'message',
          role: 'user',
          content: [
            { type: 'text', text: 'What is this?' },
            { type: 'image', image_url: 'data:image/png;base64,AAAA', detail: 'low' },
          ],
        },
        { type: 'function_call', call_id: 'a', name: 'f', arguments: '{}' },
        { type: 'function_call_output', call_id: 'a', output: 'x' },
        { type: 'function_call', call_id: 'b', name: 'f', arguments: '{}' },
        { type: 'function_call_output', call_id: 'b', output: 'y' },
        { type: 'message', role: 'assistant', content: [{ type: 'text', text: 'Done.' }] },
      ],
    });
    expect(body.messages).toEqual([
      { role: 'system', content: 'Dev.' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What is this?' },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA', detail: 'low' } },
        ],
      },
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'a', type: 'function', function: { name: 'f', arguments: '{}' } }],
      },
      { role: 'tool', tool_call_id: 'a', content: 'x' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'b', type: 'function', function: { name: 'f', arguments: '{}' } }],
      },
      { role: 'tool', tool_call_id: 'b', content: 'y' },
      { role: 'assistant', content: 'Done.' },
    ]);
  });

  it('sends an output whose call is missing as user text, with a warning', () => {
    const { body, warnings } = convert({
      input: [{ type: 'function_call_output', call_id: 'zz', output: '42' }],
    });
    expect(body.messages).toEqual([{ role: 'user', content: 'Output of tool call zz: 42' }]);
    expect(warnings).toEqual(['function_call_output']);
  });
});

describe('convertToChatRequest: parameters', () => {
  it('always streams with include_usage, and sends nothing unasked', () => {
    expect(convert({ input: [userText('hi')] }).body).toEqual({
      model: 'qwen-2.5',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  it('maps tools, tool_choice, parallel calls, response_format, sampling and limits', () => {
    const { body, warnings } = convert({
      input: [userText('hi')],
      tools: [
        { type: 'function', name: 'f', description: 'F', parameters: { type: 'object' }, strict: true },
        { type: 'builtin', name: 'web_search' },
      ],
      tool_choice: { type: 'function', name: 'f' },
      parallel_tool_calls: false,
      text: { format: { type: 'json_schema', name: 'out', schema: { type: 'object' }, strict: true } },
      temperature: 0.2,
      top_p: 0.9,
      stop: ['END'],
      max_output_tokens: 100,
      user: 'u-1',
      metadata: { a: 'b' },
      reasoning: { effort: 'high', summary: 'auto' },
    });
    expect(body).toMatchObject({
      tools: [
        {
          type: 'function',
          function: { name: 'f', description: 'F', parameters: { type: 'object' }, strict: true },
        },
      ],
      tool_choice: { type: 'function', function: { name: 'f' } },
      parallel_tool_calls: false,
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'out', schema: { type: 'object' }, strict: true },
      },
      temperature: 0.2,
      top_p: 0.9,
      stop: ['END'],
      max_tokens: 100,
      user: 'u-1',
      reasoning_effort: 'high',
    });
    expect(body).not.toHaveProperty('metadata');
    expect(warnings.sort()).toEqual(['metadata', 'reasoning.summary', 'tools.web_search']);
  });

  it('uses max_completion_tokens and drops temperature for OpenAI reasoning models', () => {
    const { body, warnings } = convert({
      model: 'o3-mini',
      input: [userText('hi')],
      max_output_tokens: 50,
      temperature: 0.5,
    });
    expect(body).toMatchObject({ max_completion_tokens: 50 });
    expect(body).not.toHaveProperty('max_tokens');
    expect(body).not.toHaveProperty('temperature');
    expect(warnings).toEqual(['temperature']);
    const configured = convertToChatRequest(
      { model: 'gpt-5.5', input: [userText('hi')], max_output_tokens: 9 },
      { dialect: 'openai', maxTokensField: 'max_tokens' },
    );
    expect(configured).toMatchObject({ max_tokens: 9 });
  });

  it('gemini: effort levels, json_object, no user / parallel switch / cache key', () => {
    const { body, warnings } = convert(
      {
        model: 'gemini-2.5-flash',
        input: [userText('hi')],
        tools: [{ type: 'function', name: 'f' }],
        parallel_tool_calls: true,
        reasoning: { effort: 'xhigh' },
        text: { format: { type: 'json_object' } },
        user: 'u',
        prompt_cache_key: 'k',
        max_output_tokens: 10,
      },
      'gemini',
    );
    expect(body).toEqual({
      model: 'gemini-2.5-flash',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
      stream_options: { include_usage: true },
      tools: [{ type: 'function', function: { name: 'f' } }],
      reasoning_effort: 'high',
      response_format: { type: 'json_object' },
      max_tokens: 10,
    });
    expect(warnings.sort()).toEqual(['prompt_cache_key', 'reasoning.effort', 'user']);
  });

  it('drops tool_choice without tools', () => {
    const { body, warnings } = convert({ input: [userText('hi')], tool_choice: 'required' });
    expect(body).not.toHaveProperty('tool_choice');
    expect(warnings).toEqual(['tool_choice']);
  });
});
