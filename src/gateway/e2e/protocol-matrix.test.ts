import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../testing/capture-io.js';
import {
  anthropicUpstream,
  codexUpstream,
  geminiUpstream,
  type MatrixUpstream,
  mockUpstream,
} from '../../testing/e2e-upstreams.js';
import { startGateway, type TestGateway } from '../../testing/gateway-harness.js';

const UPSTREAMS: Record<string, (home: string) => Promise<MatrixUpstream>> = {
  mock: () => mockUpstream(),
  codex: (home) => codexUpstream(home),
  anthropic: () => anthropicUpstream(),
  gemini: () => geminiUpstream(),
};

const WEATHER_SCHEMA = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };

let home: ReturnType<typeof tempDir>;
let upstream: MatrixUpstream;
let gw: TestGateway;

async function setup(name: string): Promise<void> {
  upstream = await (UPSTREAMS[name] as (home: string) => Promise<MatrixUpstream>)(home.path);
  gw = await startGateway({
    config: upstream.config,
    env: { ...upstream.env, HOME: home.path },
    home: home.path,
  });
}

beforeEach(() => {
  home = tempDir();
});
afterEach(async () => {
  await gw?.close();
  await upstream?.close();
  home.cleanup();
});

const openai = () => new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'nk-test', maxRetries: 0 });
const anthropic = () => new Anthropic({ baseURL: gw.url, apiKey: 'nk-test', maxRetries: 0 });

for (const name of Object.keys(UPSTREAMS)) {
  describe(`to ${name}`, () => {
    beforeEach(() => setup(name));

    it('openai chat.completions: non-stream and stream', async () => {
      const client = openai();
      const completion = await client.chat.completions.create({
        model: upstream.model,
        messages: [{ role: 'user', content: 'hi' }],
      });
      expect(completion.choices[0]?.message.content).toBe(upstream.text);
      expect(completion.usage?.total_tokens).toBeGreaterThan(0);
      const stream = client.chat.completions.stream({
        model: upstream.model,
        messages: [{ role: 'user', content: 'hi' }],
        stream_options: { include_usage: true },
      });
      const final = await stream.finalChatCompletion();
      expect(final.choices[0]?.message.content).toBe(upstream.text);
      expect(final.usage?.total_tokens).toBeGreaterThan(0);
    });

    it('openai chat.completions: a full tool-call round trip', async () => {
      const client = openai();
      const tools = [
        { type: 'function' as const, function: { name: 'get_weather', parameters: WEATHER_SCHEMA } },
      ];
      const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Weather in Paris?' }];
      upstream.queueToolCall();
      const first = await client.chat.completions.create({ model: upstream.model, messages, tools });
      const call = first.choices[0]?.message.tool_calls?.[0];
      expect(first.choices[0]?.finish_reason).toBe('tool_calls');
      expect(call?.type === 'function' && JSON.parse(call.function.arguments)).toEqual(
        upstream.toolArguments,
      );
      messages.push(first.choices[0]?.message as OpenAI.ChatCompletionMessageParam, {
        role: 'tool',
        tool_call_id: call?.id ?? '',
        content: '21C and sunny',
      });
      const stream = client.chat.completions.stream({ model: upstream.model, messages, tools });
      expect((await stream.finalChatCompletion()).choices[0]?.message.content).toBe(
        upstream.afterTool('21C and sunny'),
      );
      if (upstream.bodies().length > 0)
        expect(JSON.stringify(upstream.bodies().at(-1))).toContain('21C and sunny');
    });

    it('openai responses: non-stream and stream', async () => {
      const client = openai();
      const response = await client.responses.create({ model: upstream.model, input: 'hi' });
      expect(response.output_text).toBe(upstream.text);
      expect(response.usage?.total_tokens).toBeGreaterThan(0);
      const streamed = await client.responses.stream({ model: upstream.model, input: 'hi' }).finalResponse();
      expect(streamed.output_text).toBe(upstream.text);
      expect(streamed.status).toBe('completed');
    });

    it('openai responses: a full tool-call round trip', async () => {
      const client = openai();
      const tools = [
        { type: 'function' as const, name: 'get_weather', parameters: WEATHER_SCHEMA, strict: false },
      ];
      upstream.queueToolCall();
      const input: OpenAI.Responses.ResponseInput = [{ role: 'user', content: 'Weather in Paris?' }];
      const first = await client.responses.stream({ model: upstream.model, input, tools }).finalResponse();
      const call = first.output.find((item) => item.type === 'function_call');
      expect(call?.type === 'function_call' && JSON.parse(call.arguments)).toEqual(upstream.toolArguments);
      input.push(...(first.output as OpenAI.Responses.ResponseInputItem[]), {
        type: 'function_call_output',
        call_id: call?.type === 'function_call' ? call.call_id : '',
        output: '21C and sunny',
      });
      const second = await client.responses.create({ model: upstream.model, input, tools });
      expect(second.output_text).toBe(upstream.afterTool('21C and sunny'));
      if (upstream.bodies().length > 0)
        expect(JSON.stringify(upstream.bodies().at(-1))).toContain('21C and sunny');
    });

    it('anthropic messages: non-stream and stream', async () => {
      const client = anthropic();
      const message = await client.messages.create({
        model: upstream.model,
        max_tokens: 256,
        messages: [{ role: 'user', content: 'hi' }],
      });
      // Text blocks carry the answer; an upstream's reasoning may come first as a thinking block.
      expect(message.content.filter((b) => b.type === 'text')).toEqual([
        expect.objectContaining({ type: 'text', text: upstream.text }),
      ]);
      expect(message.content.every((b) => b.type === 'text' || b.type === 'thinking')).toBe(true);
      expect(message.usage.output_tokens).toBeGreaterThan(0);
      const final = await client.messages
        .stream({ model: upstream.model, max_tokens: 256, messages: [{ role: 'user', content: 'hi' }] })
        .finalMessage();
      expect(final.content.map((b) => (b.type === 'text' ? b.text : '')).join('')).toBe(upstream.text);
      expect(final.stop_reason).toBe('end_turn');
    });

    it('anthropic messages: a full tool-use round trip', async () => {
      const client = anthropic();
      const tools = [{ name: 'get_weather', input_schema: WEATHER_SCHEMA as Anthropic.Tool.InputSchema }];
      upstream.queueToolCall();
      const messages: Anthropic.MessageParam[] = [{ role: 'user', content: 'Weather in Paris?' }];
      const first = await client.messages
        .stream({ model: upstream.model, max_tokens: 256, messages, tools })
        .finalMessage();
      expect(first.stop_reason).toBe('tool_use');
      const use = first.content.find((b) => b.type === 'tool_use');
      expect(use?.type === 'tool_use' && use.input).toEqual(upstream.toolArguments);
      messages.push(
        { role: 'assistant', content: first.content },
        {
          role: 'user',
          content: [
            {
              type: 'tool_result',
              tool_use_id: use?.type === 'tool_use' ? use.id : '',
              content: '21C and sunny',
            },
          ],
        },
      );
      const second = await client.messages.create({
        model: upstream.model,
        max_tokens: 256,
        messages,
        tools,
      });
      expect(second.content.map((b) => (b.type === 'text' ? b.text : '')).join('')).toBe(
        upstream.afterTool('21C and sunny'),
      );
      if (upstream.bodies().length > 0)
        expect(JSON.stringify(upstream.bodies().at(-1))).toContain('21C and sunny');
    });
  });
}
