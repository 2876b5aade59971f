import { describe, expect, it } from 'vitest';
import type { CanonicalRequest, InputItem } from '../../core/request.js';
import { userText } from '../../core/request.js';
import { collectWarnings } from '../../core/warnings.js';
import { CLAUDE_CODE_IDENTITY, convertToAnthropicRequest } from './convert-to-anthropic-request.js';

const MODEL = 'claude-sonnet-4-5';
const text = (t: string) => ({ type: 'text' as const, text: t });

function convert(request: Partial<CanonicalRequest>, options = {}) {
  const { warnings, sink } = collectWarnings();
  const converted = convertToAnthropicRequest({ model: MODEL, input: [], ...request }, options, sink);
  return { ...converted, warnings, features: warnings.map((w) => w.feature) };
}

const call = (call_id: string, name = 'get_weather', args = '{"city":"Paris"}'): InputItem => ({
  type: 'function_call',
  call_id,
  name,
  arguments: args,
});
const output = (call_id: string, out = 'ok', is_error?: boolean): InputItem => ({
  type: 'function_call_output',
  call_id,
  output: out,
  ...(is_error ? { is_error } : {}),
});

describe('convertToAnthropicRequest: system', () => {
  it('OAuth: the identity block first, then instructions, system and developer messages (moved, with a warning when mid-conversation)', () => {
    const { body, warnings } = convert(
      {
        instructions: 'Be brief.',
        input: [
          { type: 'message', role: 'system', content: [text('S1')] },
          userText('hi'),
          { type: 'message', role: 'developer', content: [text('D1')] },
          { type: 'message', role: 'system', content: [text('  ')] },
        ],
      },
      { identity: CLAUDE_CODE_IDENTITY },
    );
    expect(body.system).toEqual([
      { type: 'text', text: CLAUDE_CODE_IDENTITY, cache_control: { type: 'ephemeral' } },
      text('Be brief.'),
      text('S1'),
      text('D1'),
    ]);
    expect(body.messages).toEqual([{ role: 'user', content: [text('hi')] }]);
    expect(warnings).toEqual([
      {
        feature: 'input.system',
        details: 'a mid-conversation developer message was moved to the system prompt',
      },
    ]);
  });

  it('API key: no identity, and no system at all when there is nothing to say', () => {
    expect(convert({ input: [userText('hi')] }).body).toEqual({
      model: MODEL,
      max_tokens: 32_000,
      stream: true,
      messages: [{ role: 'user', content: [text('hi')] }],
    });
  });

  it('json_schema and json_object are approximated with a system instruction and a warning', () => {
    const schema = { type: 'object', properties: { a: { type: 'string' } } };
    const { body, features } = convert({
      input: [userText('hi')],
      text: { format: { type: 'json_schema', name: 'thing', schema } },
    });
    expect(body.system?.at(-1)?.text).toBe(
      `Respond with a single JSON value that matches this JSON Schema ("thing") and nothing else:\n${JSON.stringify(schema)}`,
    );
    expect(features).toEqual(['text.format']);
  });
});

describe('convertToAnthropicRequest: messages', () => {
  it('merges consecutive same-role messages and never sends empty or whitespace text', () => {
    const { body } = convert({
      input: [
        userText('a'),
        userText(''),
        userText('b'),
        { type: 'message', role: 'assistant', content: [text(' ')] },
        { type: 'message', role: 'assistant', content: [text('c')] },
      ],
    });
    expect(body.messages).toEqual([
      { role: 'user', content: [text('a'), text('b')] },
      { role: 'assistant', content: [text('c')] },
    ]);
  });

  it('groups a turn’s calls into one assistant message and ALL its results into the next user message, first', () => {
    const { body } = convert({
      input: [
        userText('weather and time?'),
        { type: 'message', role: 'assistant', content: [text('Checking.')] },
        call('toolu_1'),
        call('toolu_2', 'get_time', '{"zone":"UTC"}'),
        output('toolu_2', 'noon'),
        output('toolu_1', 'sunny', true),
        userText('thanks'),
        call('toolu_3'),
        output('toolu_3'),
      ],
    });
    expect(body.messages).toEqual([
      { role: 'user', content: [text('weather and time?')] },
      {
        role: 'assistant',
        content: [
          text('Checking.'),
          { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
          { type: 'tool_use', id: 'toolu_2', name: 'get_time', input: { zone: 'UTC' } },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'toolu_2', content: 'noon' },
          { type: 'tool_result', tool_use_id: 'toolu_1', content: 'sunny', is_error: true },
          text('thanks'),
        ],
      },
      {
        role: 'assistant',
        content: [{ type: 'tool_use', id: 'toolu_3', name: 'get_weather', input: { city: 'Paris' } }],
      },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_3', content: 'ok' }] },
    ]);
  });

  it('a result that arrives after the next user text still goes first in the message right after its call', () => {
    const { body } = convert({ input: [userText('q'), call('c1'), userText('meanwhile'), output('c1')] });
    expect(body.messages[2]).toEqual({
      role: 'user',
      content: [{ type: 'tool_result', tool_use_id: 'c1', content: 'ok' }, text('meanwhile')],
    });
  });

  it('sanitizes foreign call ids to ^[a-zA-Z0-9_-]+$, keeps them distinct, and maps them back exactly', () => {
    const { body, ids } = convert({
      input: [
        userText('q'),
        call('call.1/x'),
        call('call_1_x'),
        call('call:1:x'),
        output('call.1/x'),
        output('call_1_x'),
        output('call:1:x'),
      ],
    });
    const uses = (body.messages[1]?.content ?? []).map((b) => (b.type === 'tool_use' ? b.id : ''));
    expect(uses).toEqual(['call_1_x', 'call_1_x_2', 'call_1_x_3']);
    for (const id of uses) expect(id).toMatch(/^[a-zA-Z0-9_-]+$/);
    expect(uses.map((id) => ids.original(id))).toEqual(['call.1/x', 'call_1_x', 'call:1:x']);
    expect(
      (body.messages[2]?.content ?? []).map((b) => (b.type === 'tool_result' ? b.tool_use_id : '')),
    ).toEqual(uses);
  });

  it('an output without its call becomes text; a call without output gets an error result; both warn', () => {
    const { body, features } = convert({
      input: [userText('q'), output('ghost', 'boo'), call('c1'), userText('next')],
    });
    expect(body.messages).toEqual([
      { role: 'user', content: [text('q'), text('Tool result for call ghost: boo')] },
      {
        role: 'assistant',
        content: [{ type: 'tool_use', id: 'c1', name: 'get_weather', input: { city: 'Paris' } }],
      },
      {
        role: 'user',
        content: [
          {
            type: 'tool_result',
            tool_use_id: 'c1',
            content: 'No result was recorded for this call.',
            is_error: true,
          },
          text('next'),
        ],
      },
    ]);
    expect(features).toEqual(['input.function_call_output', 'input.function_call']);
  });

  it('images: data URLs → base64, https → url; assistant images dropped with a warning; tool outputs may hold images', () => {
    const { body, features } = convert({
      input: [
        {
          type: 'message',
          role: 'user',
          content: [
            text('look'),
            { type: 'image', image_url: 'data:image/png;base64,iVBORw0K' },
            { type: 'image', image_url: 'https://example.com/cat.jpg' },
          ],
        },
        {
          type: 'message',
          role: 'assistant',
          content: [{ type: 'image', image_url: 'https://example.com/x.png' }, text('seen')],
        },
        call('c1', 'screenshot', '{}'),
        {
          type: 'function_call_output',
          call_id: 'c1',
          output: [text('shot'), { type: 'image', image_url: 'data:image/jpeg;base64,/9j/' }],
        },
      ],
    });
    expect(body.messages[0]?.content).toEqual([
      text('look'),
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0K' } },
      { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
    ]);
    expect(body.messages[1]?.content[0]).toEqual(text('seen'));
    expect(body.messages[2]?.content).toEqual([
      {
        type: 'tool_result',
        tool_use_id: 'c1',
        content: [
          text('shot'),
          { type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: '/9j/' } },
        ],
      },
    ]);
    expect(features).toEqual(['input.assistant_image']);
  });

  it('replays thinking (signature intact) and redacted thinking first in their turn; drops reasoning from other providers with a warning', () => {
    const { body, warnings } = convert({
      input: [
        userText('q'),
        { type: 'reasoning', summary: [], text: 'hmm', provider_data: { anthropic: { signature: 'sig-1' } } },
        { type: 'reasoning', summary: [], provider_data: { anthropic: { redacted_data: 'RED' } } },
        {
          type: 'reasoning',
          summary: ['codex thought'],
          encrypted_content: 'gAAAA',
          provider_data: { codex: { id: 'rs_1' } },
        },
        call('c1'),
        output('c1'),
      ],
    });
    expect(body.messages[1]).toEqual({
      role: 'assistant',
      content: [
        { type: 'thinking', thinking: 'hmm', signature: 'sig-1' },
        { type: 'redacted_thinking', data: 'RED' },
        { type: 'tool_use', id: 'c1', name: 'get_weather', input: { city: 'Paris' } },
      ],
    });
    expect(warnings).toEqual([
      {
        feature: 'input.reasoning',
        details:
          '1 reasoning item(s) without an Anthropic signature dropped (signatures cannot cross providers)',
      },
    ]);
  });
});

describe('convertToAnthropicRequest: parameters', () => {
  const tools = [
    { type: 'function', name: 'get_weather', parameters: { type: 'object', properties: {} } },
  ] as const;

  it('tools, tool_choice and parallel_tool_calls:false → disable_parallel_tool_use', () => {
    expect(
      convert({ input: [userText('q')], tools, tool_choice: 'required', parallel_tool_calls: false }).body,
    ).toMatchObject({
      tools: [{ name: 'get_weather', input_schema: { type: 'object', properties: {} } }],
      tool_choice: { type: 'any', disable_parallel_tool_use: true },
    });
    expect(convert({ input: [userText('q')], tools, parallel_tool_calls: false }).body.tool_choice).toEqual({
      type: 'auto',
      disable_parallel_tool_use: true,
    });
    expect(
      convert({ input: [userText('q')], tools, tool_choice: { type: 'function', name: 'get_weather' } }).body
        .tool_choice,
    ).toEqual({
      type: 'tool',
      name: 'get_weather',
    });
    expect(convert({ input: [userText('q')], tools, tool_choice: 'none' }).body.tool_choice).toEqual({
      type: 'none',
    });
    expect(convert({ input: [userText('q')], tools }).body).not.toHaveProperty('tool_choice');
  });

  it('reasoning effort → a thinking budget; none → off; budgets configurable; max_tokens raised above the budget', () => {
    expect(convert({ input: [userText('q')], reasoning: { effort: 'low' } }).body.thinking).toEqual({
      type: 'enabled',
      budget_tokens: 2048,
    });
    expect(convert({ input: [userText('q')], reasoning: { effort: 'none' } }).body).not.toHaveProperty(
      'thinking',
    );
    expect(
      convert(
        { input: [userText('q')], reasoning: { effort: 'medium' } },
        { thinkingBudgets: { medium: 4000 } },
      ).body.thinking,
    ).toEqual({ type: 'enabled', budget_tokens: 4000 });
    const raised = convert({
      input: [userText('q')],
      reasoning: { effort: 'high' },
      max_output_tokens: 1000,
    });
    expect(raised.body.max_tokens).toBe(17_384);
    expect(raised.features).toEqual(['max_output_tokens']);
  });

  it('thinking is removed with a warning when tool_choice forces a tool', () => {
    const { body, features } = convert({
      input: [userText('q')],
      tools,
      tool_choice: 'required',
      reasoning: { effort: 'high' },
    });
    expect(body).not.toHaveProperty('thinking');
    expect(features).toEqual(['reasoning']);
  });

  it('temperature XOR top_p (top_p dropped with a warning); thinking drops a temperature other than 1', () => {
    const both = convert({ input: [userText('q')], temperature: 0.5, top_p: 0.9 });
    expect(both.body).toMatchObject({ temperature: 0.5 });
    expect(both.body).not.toHaveProperty('top_p');
    expect(both.features).toEqual(['top_p']);
    const thinking = convert({ input: [userText('q')], temperature: 0.2, reasoning: { effort: 'low' } });
    expect(thinking.body).not.toHaveProperty('temperature');
    expect(thinking.features).toEqual(['temperature']);
  });

  it('stop → stop_sequences, user → metadata.user_id, other metadata warned; max_tokens per model table', () => {
    const { body, features } = convert({
      input: [userText('q')],
      stop: ['END'],
      user: 'u-1',
      metadata: { trace: 'x' },
    });
    expect(body).toMatchObject({ stop_sequences: ['END'], metadata: { user_id: 'u-1' } });
    expect(features).toEqual(['metadata']);
    expect(convert({ model: 'claude-haiku-4-5', input: [userText('q')] }).body.max_tokens).toBe(8192);
    expect(convert({ model: 'claude-opus-4-8', input: [userText('q')] }).body.max_tokens).toBe(32_000);
    expect(
      convert(
        { model: 'claude-opus-4-8', input: [userText('q')] },
        { maxTokens: { 'claude-opus-4-8': 64_000 } },
      ).body.max_tokens,
    ).toBe(64_000);
    expect(convert({ input: [userText('q')], max_output_tokens: 100 }).body.max_tokens).toBe(100);
  });

  it('a tool-name prefix is applied to tools, history and tool_choice', () => {
    const { body } = convert(
      {
        input: [userText('q'), call('c1'), output('c1')],
        tools,
        tool_choice: { type: 'function', name: 'get_weather' },
      },
      { toolNamePrefix: 'mcp_' },
    );
    expect(body.tools?.[0]).toMatchObject({ name: 'mcp_get_weather' });
    expect(body.tool_choice).toEqual({ type: 'tool', name: 'mcp_get_weather' });
    expect(body.messages[1]?.content[0]).toMatchObject({ name: 'mcp_get_weather' });
  });
});
