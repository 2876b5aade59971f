import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { streamEvent, toolCallDone } from '../core/events.js';
import { userText } from '../core/request.js';
import { makeUsage } from '../core/usage.js';
import { countInputTokens } from '../protocols/count-input-tokens.js';
import { tempDir } from '../testing/capture-io.js';
import { ScriptedProvider, textTurn } from '../testing/scripted-provider.js';
import { Nodex } from './nodex.js';
import { tool } from './tool.js';

let dir: ReturnType<typeof tempDir>;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => dir.cleanup());

const env = () => ({ HOME: dir.path, NODEX_HOME: `${dir.path}/.nodex` });

function callTurn(calls: Array<[string, string, string]>) {
  return [
    streamEvent('response_started', { response_id: 'resp_call', model: 'scripted-model' }),
    ...calls.map(([id, name, args]) => toolCallDone(id, name, args)),
    streamEvent('usage', { usage: makeUsage({ input_tokens: 9, output_tokens: 3 }) }),
    streamEvent('response_completed', { finish_reason: 'tool_calls' }),
  ];
}

describe('tool() and responses.runTools', () => {
  const weather = tool({
    name: 'get_weather',
    description: 'Weather for a city',
    parameters: z.object({ city: z.string(), units: z.enum(['c', 'f']).optional() }),
    execute: async ({ city, units }) => ({ city, temp: 21, units: units ?? 'c' }),
  });

  it('sends the strict schema; runs the calls; sends back input + output items + tool outputs; returns the final answer', async () => {
    const provider = new ScriptedProvider([
      callTurn([
        ['call_1', 'get_weather', '{"city":"Paris","units":null}'],
        ['call_2', 'nope', '{}'],
      ]),
      textTurn('It is 21 in Paris.'),
    ]);
    const client = new Nodex({ env: env(), providers: [provider] });
    const response = await client.responses.runTools({
      model: 'scripted-model',
      input: 'Weather in Paris?',
      tools: [weather],
    });
    expect(response.output_text).toBe('It is 21 in Paris.');
    expect(provider.requests[0]?.tools).toEqual([
      {
        type: 'function',
        name: 'get_weather',
        description: 'Weather for a city',
        strict: true,
        parameters: {
          type: 'object',
          properties: { city: { type: 'string' }, units: { type: ['string', 'null'], enum: ['c', 'f'] } },
          required: ['city', 'units'],
          additionalProperties: false,
        },
      },
    ]);
    expect(provider.requests[1]?.input).toEqual([
      userText('Weather in Paris?'),
      {
        type: 'function_call',
        call_id: 'call_1',
        name: 'get_weather',
        arguments: '{"city":"Paris","units":null}',
      },
      { type: 'function_call', call_id: 'call_2', name: 'nope', arguments: '{}' },
      { type: 'function_call_output', call_id: 'call_1', output: '{"city":"Paris","temp":21,"units":"c"}' },
      { type: 'function_call_output', call_id: 'call_2', output: '{"error":"tool not found: nope"}' },
    ]);
  });

  it('tool errors and invalid arguments go back to the model as {"error": …}', async () => {
    const failing = tool({
      name: 'boom',
      parameters: { type: 'object', properties: {} },
      strict: false,
      execute: () => {
        throw new Error('disk full');
      },
    });
    const provider = new ScriptedProvider([
      callTurn([
        ['c1', 'boom', '{}'],
        ['c2', 'get_weather', '{"city":5}'],
      ]),
      textTurn('sorry'),
    ]);
    await new Nodex({ env: env(), providers: [provider] }).responses.runTools({
      model: 'scripted-model',
      input: 'x',
      tools: [failing, weather],
    });
    const outputs = provider.requests[1]?.input
      .filter((i) => i.type === 'function_call_output')
      .map((i) => (i.type === 'function_call_output' ? JSON.parse(i.output as string) : null));
    expect(outputs?.[0]).toEqual({ error: 'disk full' });
    expect(outputs?.[1].error).toMatch(/expected string/i);
  });

  it('stops at maxTurns', async () => {
    const provider = new ScriptedProvider([
      callTurn([['a', 'get_weather', '{"city":"x"}']]),
      callTurn([['b', 'get_weather', '{"city":"y"}']]),
    ]);
    await expect(
      new Nodex({ env: env(), providers: [provider] }).responses.runTools({
        model: 'scripted-model',
        input: 'x',
        tools: [weather],
        maxTurns: 2,
      }),
    ).rejects.toMatchObject({
      code: 'tool_loop_limit',
      message: expect.stringContaining('limit of 2 turns'),
    });
  });

  it('works end to end with the mock provider’s tool-loop mode', async () => {
    const response = await new Nodex({ env: env() }).responses.runTools({
      model: 'mock-tool-loop',
      input: 'go',
      tools: [weather],
    });
    expect(response.output_text).toBe('The tool returned: {"city":"mock","temp":21,"units":"c"}');
  });
});

describe('legacy generate / generateStream', () => {
  it('text in, text out; streaming yields the deltas; tools run the loop', async () => {
    const client = new Nodex({ env: env() });
    expect(await client.generate({ model: 'mock-echo', prompt: 'echo me' })).toBe('echo me');
    const pieces: string[] = [];
    for await (const piece of client.generateStream({ model: 'mock-echo', prompt: 'a b c' }))
      pieces.push(piece);
    expect(pieces).toEqual(['a ', 'b ', 'c']);
    const echo = tool({ name: 'echo', parameters: z.object({}), execute: () => 'pong' });
    expect(await client.generate({ model: 'mock-tool-loop', prompt: 'x', tools: [echo] })).toBe(
      'The tool returned: pong',
    );
    await expect(client.generate({ model: 'mock', prompt: 'x', messages: [] } as never)).rejects.toThrow(
      /exactly one of prompt or messages/,
    );
  });
});

describe('inputTokens.count and models', () => {
  it('counts instructions, items and tools with o200k_base', async () => {
    expect(await countInputTokens({ input: [userText('hello world')] })).toBe(3 + 1 + 2);
    const client = new Nodex({ env: env() });
    const plain = await client.responses.inputTokens.count({ model: 'gpt-5.5', input: 'hello world' });
    expect(plain).toEqual({ object: 'response.input_tokens', input_tokens: 6 });
    const more = await client.responses.inputTokens.count({
      model: 'gpt-5.5',
      input: 'hello world',
      instructions: 'Be brief.',
      tools: [tool({ name: 't', parameters: z.object({ a: z.string() }), execute: () => 1 })],
    });
    expect(more.input_tokens).toBeGreaterThan(plain.input_tokens + 5);
  });

  it('lists models of every provider and reports capabilities (aliases expand)', async () => {
    const client = new Nodex({ env: env(), providers: [new ScriptedProvider([])] });
    const { data } = await client.models.list();
    expect(data.map((m) => m.id)).toEqual([
      'mock',
      'mock-echo',
      'mock-text',
      'mock-tool-call',
      'mock-tool-loop',
      'scripted-model',
    ]);
    expect(data[0]).toEqual({
      id: 'mock',
      object: 'model',
      owned_by: 'mock',
      display_name: 'Mock (default mode)',
    });
    expect(client.models.capabilities('mock-text')).toMatchObject({
      model: 'mock-text',
      provider: 'mock',
      tools: true,
      context_window: 128_000,
      output_limit: 16_384,
    });
    expect(() => client.models.capabilities('gpt-5.5')).toThrow(/provider "codex"/);
  });
});
