import { describe, expect, it } from 'vitest';
import { StaticTokenSource } from '../auth/token-source.js';
import { NodexError } from '../core/errors.js';
import type { Provider } from '../core/provider.js';
import type { CanonicalRequest } from '../core/request.js';
import { userText } from '../core/request.js';
import { AnthropicProvider } from '../providers/anthropic/anthropic-provider.js';
import { CodexProvider } from '../providers/codex/codex-provider.js';
import { MockProvider } from '../providers/mock/mock-provider.js';
import { OpenAICompatibleProvider } from '../providers/openai-compatible/openai-compatible-provider.js';
import { anthropicFrames, anthropicSseFrames, startFakeAnthropic } from '../testing/fake-anthropic.js';
import { startFakeChatCompletions } from '../testing/fake-chat-completions.js';
import { codexSseFrames, startFakeCodex } from '../testing/fake-codex.js';
import { CONTRACT_TOOLS } from '../testing/provider-contract.js';
import { runToolLoop } from './tool-loop.js';

interface LoopSetup {
  readonly provider: Provider;
  readonly model: string;
  /** The upstream request bodies, to check the second turn carried the call and its output. */
  bodies(): unknown[];
  /** How this wire format names a replayed call (`function_call`, `tool_use`, `tool_calls`). */
  readonly callMarker: string;
  close(): Promise<void>;
}

/** One row per provider: a first turn that calls get_weather {"city":"Paris"}, then a text answer. */
const LOOP_SETUPS: Record<string, () => Promise<LoopSetup>> = {
  mock: async () => {
    const bodies: unknown[] = [];
    const mock = new MockProvider({ mode: 'tool-loop' });
    return {
      provider: {
        ...mock,
        id: 'mock',
        kind: 'mock',
        listModels: () => mock.listModels(),
        capabilities: () => mock.capabilities(),
        stream: (r, c = {}) => mock.stream(r, { ...c, onUpstreamRequest: (x) => bodies.push(x.body) }),
      },
      model: 'mock',
      callMarker: 'function_call',
      bodies: () => bodies,
      close: async () => undefined,
    };
  },
  anthropic: async () => {
    const fake = await startFakeAnthropic({ apiKeys: ['sk-ant-loop'] });
    fake.enqueue({
      sse: anthropicSseFrames([
        anthropicFrames.start(),
        ...anthropicFrames.toolUse(0, 'toolu_1', 'get_weather', { city: 'Paris' }),
        ...anthropicFrames.end('tool_use', 9),
      ]),
    });
    return {
      provider: new AnthropicProvider({ baseUrl: fake.url, apiKey: 'sk-ant-loop' }),
      model: 'claude-sonnet-4-5',
      callMarker: 'tool_use',
      bodies: () => fake.messages().map((r) => r.json),
      close: () => fake.close(),
    };
  },
  gemini: async () => {
    const fake = await startFakeChatCompletions({ dialect: 'gemini', apiKey: 'g-key' });
    fake.enqueue({
      turn: {
        calls: [{ name: 'get_weather', arguments: { city: 'Paris' }, thoughtSignature: 'sig-loop' }],
        finishReason: 'tool_calls',
      },
    });
    return {
      provider: new OpenAICompatibleProvider({
        id: 'gemini',
        baseUrl: fake.baseUrl,
        dialect: 'gemini',
        apiKey: 'g-key',
      }),
      model: 'gemini-2.5-pro',
      callMarker: 'tool_calls',
      bodies: () => fake.chatRequests().map((r) => r.json),
      close: () => fake.close(),
    };
  },
  codex: async () => {
    const fake = await startFakeCodex();
    const response = { id: 'resp_loop', model: 'gpt-5.5', output: [] };
    const item = {
      id: 'fc_1',
      type: 'function_call',
      call_id: 'call_1',
      name: 'get_weather',
      arguments: '{"city":"Paris"}',
    };
    fake.enqueue(
      {
        sse: codexSseFrames([
          { type: 'response.created', response },
          { type: 'response.output_item.added', output_index: 0, item: { ...item, arguments: '' } },
          { type: 'response.output_item.done', output_index: 0, item },
          { type: 'response.completed', response },
        ]),
      },
      { sse: { fixture: 'codex-text.sse' } },
    );
    return {
      provider: new CodexProvider({
        baseUrl: fake.baseUrl,
        tokenSource: new StaticTokenSource({ accessToken: 't', accountId: 'a' }),
      }),
      model: 'gpt-5.5',
      callMarker: 'function_call',
      bodies: () => fake.responses().map((r) => r.json),
      close: () => fake.close(),
    };
  },
};

describe('runToolLoop across providers', () => {
  for (const [name, setup] of Object.entries(LOOP_SETUPS)) {
    it(`${name}: runs the call, sends the call and its output back, returns the final answer`, async () => {
      const { provider, model, bodies, close, callMarker } = await setup();
      try {
        const seen: string[] = [];
        const request: CanonicalRequest = {
          model,
          input: [userText('Weather in Paris?')],
          tools: CONTRACT_TOOLS.slice(0, 1),
        };
        const result = await runToolLoop(
          provider,
          request,
          { get_weather: (args) => ({ ...args, temp: 21 }) },
          {
            onToolOutput: (output, turn) => seen.push(`${turn}:${output.name}:${String(output.output)}`),
          },
        );
        expect(result.turns).toBe(2);
        expect(result.response.output_text.length).toBeGreaterThan(0);
        expect(seen).toHaveLength(1);
        expect(seen[0]).toMatch(/^1:get_weather:\{"(city|value)":/);
        const second = JSON.stringify(bodies()[1]);
        expect(second).toContain(callMarker);
        expect(second).toContain('"temp\\":21');
        expect(result.input.filter((i) => i.type === 'function_call_output')).toHaveLength(1);
        expect(result.usage?.total_tokens).toBeGreaterThan(0);
      } finally {
        await close();
      }
    });
  }

  it('unknown tools and handler failures go back to the model; a NodexError stops the loop', async () => {
    const mock = new MockProvider({ mode: 'tool-loop' });
    const request: CanonicalRequest = { model: 'mock', input: [userText('x')] };
    const unknown = await runToolLoop(mock, request, {});
    expect(unknown.response.output_text).toBe('The tool returned: {"error":"tool not found: mock_tool"}');
    const failing = await runToolLoop(mock, request, {
      mock_tool: () => {
        throw new Error('disk full');
      },
    });
    expect(failing.response.output_text).toBe('The tool returned: {"error":"disk full"}');
    await expect(
      runToolLoop(mock, request, () => {
        throw new NodexError('invalid_request', 'stop here');
      }),
    ).rejects.toMatchObject({ message: 'stop here' });
    await expect(
      runToolLoop(new MockProvider({ mode: 'tool-call' }), request, () => 'again', { maxTurns: 2 }),
    ).rejects.toMatchObject({ code: 'tool_loop_limit' });
  });
});
