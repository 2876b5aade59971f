import { expect } from 'vitest';
import {
  type FakeChatCompletions,
  type FakeChatReply,
  startFakeChatCompletions,
} from '../../testing/fake-chat-completions.js';
import { sentHeaders } from '../../testing/fake-codex.js';
import {
  CONTRACT,
  CONTRACT_TOOLS,
  type ContractFixture,
  type ContractScenario,
  runProviderContract,
} from '../../testing/provider-contract.js';
import type { ProviderBuildContext } from '../provider-factory.js';
import { geminiFactory, openAICompatibleFactory } from './openai-compatible-factory.js';

type Dialect = 'openai' | 'gemini';

const textTurn: FakeChatReply = { turn: { text: CONTRACT.text } };

/** The upstream's answers per scenario; the fake renders them in its dialect's chunk shapes. */
function replies(scenario: ContractScenario, dialect: Dialect): FakeChatReply[] {
  switch (scenario) {
    case 'text':
      return [textTurn];
    case 'tool_call':
      return [{ turn: { calls: [CONTRACT.call] } }];
    case 'parallel_tool_calls':
      return [{ turn: { calls: CONTRACT.parallel } }];
    case 'reasoning_round_trip':
      // Gemini's opaque state is the thought signature on the call (wire.md §6.3).
      return [
        { turn: { calls: [{ ...CONTRACT.call, thoughtSignature: CONTRACT.reasoning.opaque }] } },
        textTurn,
      ];
    case 'incomplete':
      return [{ turn: { text: ['Cut'], finishReason: 'length' } }];
    case 'rate_limited':
      return [{ mode: 'rate-limited', retryAfterSeconds: 2 }];
    case 'server_error_then_ok':
      return [{ mode: 'server-error' }, textTurn];
    case 'overloaded':
      return [{ mode: 'overloaded' }];
    case 'stream_error': {
      const error =
        dialect === 'gemini'
          ? { code: 500, message: 'An internal error has occurred.', status: 'INTERNAL' }
          : {
              message: 'The server had an error while processing your request.',
              type: 'server_error',
              param: null,
              code: null,
            };
      return [{ turn: { text: [CONTRACT.partial], error } }];
    }
    case 'unknown_event':
      return [
        { turn: { text: CONTRACT.text, extraChunks: [{ object: 'chat.completion.future', note: 'x' }] } },
      ];
    case 'abort':
      return [{ turn: { text: CONTRACT.text }, pacing: { frameIntervalMs: 30 } }];
  }
}

const tool = (i: number) => {
  const t = CONTRACT_TOOLS[i];
  return {
    type: 'function',
    function: { name: t?.name, description: t?.description, parameters: t?.parameters },
  };
};

function assertRequests(
  fake: FakeChatCompletions,
  dialect: Dialect,
  model: string,
  scenario: ContractScenario,
  bodies: readonly unknown[],
): void {
  for (const request of fake.chatRequests()) {
    expect(sentHeaders(request)).toEqual({
      authorization: dialect === 'gemini' ? 'Bearer gm-contract-key' : 'Bearer vllm-contract-key',
      'content-type': 'application/json',
      accept: 'text/event-stream',
      ...(dialect === 'openai' ? { 'x-org-id': 'org-contract' } : {}),
    });
  }
  const system = { role: 'system', content: 'Be brief.' };
  const user = { role: 'user', content: 'Say hello' };
  const common = { model, messages: [system, user], stream: true, stream_options: { include_usage: true } };
  switch (scenario) {
    case 'tool_call':
      expect(bodies).toEqual([{ ...common, tools: [tool(0)], tool_choice: 'auto' }]);
      return;
    case 'parallel_tool_calls':
      // Gemini has no parallel switch; `true` is its default, so nothing is lost.
      expect(bodies).toEqual([
        {
          ...common,
          tools: [tool(0), tool(1)],
          ...(dialect === 'openai' ? { parallel_tool_calls: true } : {}),
        },
      ]);
      return;
    case 'reasoning_round_trip': {
      const second = bodies[1] as { messages: Array<{ tool_calls?: Array<{ id: string }> }> };
      const id = second.messages[2]?.tool_calls?.[0]?.id;
      expect(bodies).toEqual([
        { ...common, tools: [tool(0)], reasoning_effort: 'high' },
        {
          ...common,
          messages: [
            system,
            user,
            {
              role: 'assistant',
              content: null,
              tool_calls: [
                {
                  id,
                  type: 'function',
                  function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
                  extra_content: { google: { thought_signature: CONTRACT.reasoning.opaque } },
                },
              ],
            },
            { role: 'tool', tool_call_id: id, content: '{"temp":21}' },
          ],
          tools: [tool(0)],
          reasoning_effort: 'high',
        },
      ]);
      return;
    }
    default:
      expect(bodies.length).toBeGreaterThan(0);
      for (const body of bodies) expect(body).toEqual(common);
  }
}

function harness(dialect: Dialect) {
  const model = dialect === 'gemini' ? 'gemini-2.5-flash' : 'qwen2.5-7b-instruct';
  return {
    name:
      dialect === 'gemini'
        ? 'openai-compatible: gemini preset'
        : 'openai-compatible: custom host (dialect openai)',
    model,
    ...(dialect === 'openai'
      ? {
          notApplicable: {
            reasoning_round_trip:
              'Chat Completions hosts of the openai dialect return no opaque reasoning state to send back: reasoning_content is display text, and nothing in the request can carry it',
          },
        }
      : {}),
    async start(): Promise<ContractFixture> {
      const apiKey = dialect === 'gemini' ? 'gm-contract-key' : 'vllm-contract-key';
      const fake = await startFakeChatCompletions({ dialect, apiKey });
      const context: ProviderBuildContext = {
        env: {
          GEMINI_API_KEY: 'gm-contract-key',
          VLLM_KEY: 'vllm-contract-key',
          NODEX_TEST_ORG: 'org-contract',
        },
        home: '/nonexistent',
      };
      // Built through the factories, as the registry builds them from config.
      const provider =
        dialect === 'gemini'
          ? geminiFactory.create('gemini', geminiFactory.schema.parse({ base_url: fake.baseUrl }), context)
          : openAICompatibleFactory.create(
              'my-vllm',
              openAICompatibleFactory.schema.parse({
                base_url: fake.baseUrl,
                api_key_env: 'VLLM_KEY',
                headers: { 'X-Org-Id': '$NODEX_TEST_ORG' },
              }),
              context,
            );
      return {
        provider,
        prepare: (scenario) => fake.enqueue(...replies(scenario, dialect)),
        upstreamBodies: () => fake.chatRequests().map((r) => r.json),
        assertRequests: (scenario, bodies) => assertRequests(fake, dialect, model, scenario, bodies),
        close: () => fake.close(),
      };
    },
  };
}

runProviderContract(harness('gemini'));
runProviderContract(harness('openai'));
