import { expect } from 'vitest';
import { StaticTokenSource } from '../../auth/token-source.js';
import {
  anthropicSseFrames,
  type FakeAnthropic,
  type FakeAnthropicReply,
  anthropicFrames as f,
  startFakeAnthropic,
} from '../../testing/fake-anthropic.js';
import { sentHeaders } from '../../testing/fake-codex.js';
import {
  CONTRACT,
  type ContractFixture,
  type ContractScenario,
  runProviderContract,
} from '../../testing/provider-contract.js';
import { AnthropicProvider } from './anthropic-provider.js';
import { CLAUDE_CODE_IDENTITY } from './convert-to-anthropic-request.js';

type Json = Record<string, unknown>;
type Mode = 'oauth' | 'api_key';
const MODEL = 'claude-sonnet-4-5';
const OAUTH_TOKEN = 'sk-ant-oat01-contract';
const API_KEY = 'sk-ant-api03-contract';

const start = f.start({ id: 'msg_contract', model: MODEL, inputTokens: 10 });
const textTurn = anthropicSseFrames([start, ...f.text(0, CONTRACT.text), ...f.end('end_turn', 5)]);
const [first, second] = CONTRACT.parallel;

function replies(scenario: ContractScenario, mode: Mode): FakeAnthropicReply[] {
  switch (scenario) {
    case 'text':
      return [{ sse: textTurn }];
    case 'tool_call':
      return [
        {
          sse: anthropicSseFrames([
            start,
            ...f.toolUse(0, 'toolu_a', CONTRACT.call.name, CONTRACT.call.arguments),
            ...f.end('tool_use', 5),
          ]),
        },
      ];
    case 'parallel_tool_calls':
      // Sequential blocks, one open at a time (wire.md §5.1).
      return [
        {
          sse: anthropicSseFrames([
            start,
            ...f.toolUse(0, 'toolu_a', first.name, first.arguments),
            ...f.toolUse(1, 'toolu_b', second.name, second.arguments),
            ...f.end('tool_use', 9),
          ]),
        },
      ];
    case 'reasoning_round_trip':
      return [
        {
          sse: anthropicSseFrames([
            start,
            ...f.thinking(0, CONTRACT.reasoning.text, CONTRACT.reasoning.opaque),
            ...f.toolUse(1, 'toolu_r', CONTRACT.call.name, CONTRACT.call.arguments),
            ...f.end('tool_use', 12),
          ]),
        },
        { sse: textTurn },
      ];
    case 'incomplete':
      return [{ sse: anthropicSseFrames([start, ...f.text(0, ['Cut']), ...f.end('max_tokens', 1)]) }];
    case 'rate_limited':
      return [{ mode: 'rate-limited', retryAfterSeconds: 7, subscription: mode === 'oauth' }];
    case 'server_error_then_ok':
      return [{ mode: 'server-error' }, { sse: textTurn }];
    case 'overloaded':
      // OAuth: an overload reported as the first SSE event after a 200; API key: HTTP 529.
      return [{ mode: mode === 'oauth' ? 'overloaded-first' : 'overloaded' }];
    case 'stream_error':
      return [
        {
          sse: anthropicSseFrames([
            start,
            ...f.text(0, [CONTRACT.partial]).slice(0, 2),
            f.error('api_error', 'Internal server error'),
          ]),
        },
      ];
    case 'unknown_event': {
      const [open, hello, rest, close] = f.text(0, CONTRACT.text);
      const future = { type: 'content_block_future', index: 0, detail: 'x' };
      return [
        {
          sse: anthropicSseFrames([
            start,
            open as Json,
            hello as Json,
            future,
            rest as Json,
            close as Json,
            ...f.end('end_turn', 5),
          ]),
        },
      ];
    }
    case 'abort':
      return [{ sse: textTurn, pacing: { frameIntervalMs: 30 } }];
  }
}

const user = { role: 'user', content: [{ type: 'text', text: 'Say hello' }] };
const tool = (i: number) => ({
  name: ['get_weather', 'get_time'][i],
  description: ['Weather for a city', 'Time in a zone'][i],
  input_schema: expect.objectContaining({ type: 'object' }),
});

function assertHeaders(fake: FakeAnthropic, mode: Mode): void {
  for (const request of fake.messages()) {
    const common = {
      'anthropic-version': '2023-06-01',
      'content-type': 'application/json',
      accept: 'text/event-stream',
    };
    if (mode === 'oauth') {
      expect(request.url).toBe('/v1/messages?beta=true');
      expect(sentHeaders(request)).toEqual({
        ...common,
        authorization: `Bearer ${OAUTH_TOKEN}`,
        'anthropic-beta': 'claude-code-20250219,oauth-2025-04-20,interleaved-thinking-2025-05-14',
        'user-agent': 'claude-cli/2.1.220 (external, cli)',
        'x-app': 'cli',
        'anthropic-dangerous-direct-browser-access': 'true',
      });
    } else {
      expect(request.url).toBe('/v1/messages');
      expect(sentHeaders(request)).toEqual({
        ...common,
        'x-api-key': API_KEY,
        'anthropic-beta': 'interleaved-thinking-2025-05-14',
        'user-agent': 'nodex',
      });
    }
  }
}

function assertRequests(
  fake: FakeAnthropic,
  mode: Mode,
  scenario: ContractScenario,
  bodies: readonly unknown[],
): void {
  assertHeaders(fake, mode);
  const system = [
    ...(mode === 'oauth'
      ? [{ type: 'text', text: CLAUDE_CODE_IDENTITY, cache_control: { type: 'ephemeral' } }]
      : []),
    { type: 'text', text: 'Be brief.' },
  ];
  const common = { model: MODEL, max_tokens: 32_000, stream: true, system };
  switch (scenario) {
    case 'tool_call':
      expect(bodies[0]).toEqual({
        ...common,
        messages: [user],
        tools: [tool(0)],
        tool_choice: { type: 'auto' },
      });
      return;
    case 'parallel_tool_calls':
      expect(bodies[0]).toEqual({ ...common, messages: [user], tools: [tool(0), tool(1)] });
      return;
    case 'reasoning_round_trip': {
      const thinking = { type: 'enabled', budget_tokens: 16_384 };
      expect(bodies[0]).toEqual({ ...common, thinking, messages: [user], tools: [tool(0)] });
      // The signature goes back unchanged, thinking first in the assistant turn, and the result in
      // the very next user message (wire.md §5.1, §7.2).
      expect(bodies[1]).toEqual({
        ...common,
        thinking,
        tools: [tool(0)],
        messages: [
          user,
          {
            role: 'assistant',
            content: [
              { type: 'thinking', thinking: CONTRACT.reasoning.text, signature: CONTRACT.reasoning.opaque },
              { type: 'tool_use', id: 'toolu_r', name: 'get_weather', input: { city: 'Paris' } },
            ],
          },
          {
            role: 'user',
            content: [{ type: 'tool_result', tool_use_id: 'toolu_r', content: '{"temp":21}' }],
          },
        ],
      });
      return;
    }
    default:
      for (const body of bodies) expect(body).toEqual({ ...common, messages: [user] });
  }
}

for (const mode of ['oauth', 'api_key'] as const) {
  runProviderContract({
    name: mode === 'oauth' ? 'anthropic (OAuth)' : 'anthropic (API key)',
    model: MODEL,
    async start(): Promise<ContractFixture> {
      const fake = await startFakeAnthropic({
        apiKeys: [API_KEY],
        isValidOAuthToken: (token) => token === OAUTH_TOKEN,
      });
      const provider = new AnthropicProvider({
        baseUrl: fake.url,
        ...(mode === 'oauth'
          ? { tokenSource: new StaticTokenSource({ accessToken: OAUTH_TOKEN }) }
          : { apiKey: API_KEY }),
        retryPolicy: { maxRetries: 2, initialDelayMs: 10, maxDelayMs: 20, maxRetryAfterMs: 60_000 },
      });
      return {
        provider,
        prepare: (scenario) => fake.enqueue(...replies(scenario, mode)),
        upstreamBodies: () => fake.messages().map((r) => r.json),
        assertRequests: (scenario, bodies) => assertRequests(fake, mode, scenario, bodies),
        close: () => fake.close(),
      };
    },
  });
}
