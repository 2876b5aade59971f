import { expect } from 'vitest';
import { StaticTokenSource } from '../../auth/token-source.js';
import { codexSseFrames, type FakeCodex, sentHeaders, startFakeCodex } from '../../testing/fake-codex.js';
import {
  CONTRACT,
  type ContractFixture,
  type ContractScenario,
  runProviderContract,
} from '../../testing/provider-contract.js';
import { CodexProvider } from './codex-provider.js';

type Json = Record<string, unknown>;
const RESPONSE = {
  id: 'resp_contract',
  object: 'response',
  created_at: 1_767_225_600,
  model: 'gpt-5.5',
  status: 'in_progress',
  output: [],
};
const USAGE = {
  input_tokens: 10,
  input_tokens_details: { cached_tokens: 0 },
  output_tokens: 5,
  output_tokens_details: { reasoning_tokens: 0 },
  total_tokens: 15,
};

const created: Json = { type: 'response.created', response: RESPONSE };
const completed: Json = {
  type: 'response.completed',
  response: { ...RESPONSE, status: 'completed', usage: USAGE },
};
const message = (deltas: readonly string[], extra: Json[] = []): Json[] => [
  {
    type: 'response.output_item.added',
    output_index: 0,
    item: { id: 'msg_1', type: 'message', role: 'assistant', content: [] },
  },
  ...deltas.map((delta) => ({
    type: 'response.output_text.delta',
    item_id: 'msg_1',
    output_index: 0,
    content_index: 0,
    delta,
  })),
  ...extra,
];
const call = (index: number, id: string, name: string, args: Json): Json[] => [
  {
    type: 'response.output_item.added',
    output_index: index,
    item: {
      id: `fc_${id}`,
      type: 'function_call',
      call_id: `call_${id}`,
      name,
      arguments: '',
      status: 'in_progress',
    },
  },
  {
    type: 'response.function_call_arguments.delta',
    item_id: `fc_${id}`,
    output_index: index,
    delta: JSON.stringify(args),
  },
  {
    type: 'response.output_item.done',
    output_index: index,
    item: {
      id: `fc_${id}`,
      type: 'function_call',
      call_id: `call_${id}`,
      name,
      arguments: JSON.stringify(args),
      status: 'completed',
    },
  },
];
const reasoning: Json = {
  type: 'response.output_item.done',
  output_index: 0,
  item: {
    id: 'rs_1',
    type: 'reasoning',
    summary: [{ type: 'summary_text', text: CONTRACT.reasoning.text }],
    encrypted_content: CONTRACT.reasoning.opaque,
  },
};
const textTurn = codexSseFrames([created, ...message(CONTRACT.text), completed]);

function replies(scenario: ContractScenario): Parameters<FakeCodex['enqueue']> {
  switch (scenario) {
    case 'text':
      return [{ sse: textTurn }];
    case 'tool_call':
      return [
        {
          sse: codexSseFrames([
            created,
            ...call(0, 'a', CONTRACT.call.name, CONTRACT.call.arguments),
            completed,
          ]),
        },
      ];
    case 'parallel_tool_calls': {
      const [a, b] = CONTRACT.parallel;
      const first = call(0, 'a', a.name, a.arguments);
      const second = call(1, 'b', b.name, b.arguments);
      // Interleaved, as the backend may send them (wire.md §3 quirk 4).
      return [
        {
          sse: codexSseFrames([
            created,
            first[0] as Json,
            second[0] as Json,
            first[1] as Json,
            second[1] as Json,
            first[2] as Json,
            second[2] as Json,
            completed,
          ]),
        },
      ];
    }
    case 'reasoning_round_trip':
      return [
        {
          sse: codexSseFrames([
            created,
            reasoning,
            ...call(1, 'r', CONTRACT.call.name, CONTRACT.call.arguments),
            completed,
          ]),
        },
        { sse: textTurn },
      ];
    case 'incomplete':
      return [
        {
          sse: codexSseFrames([
            created,
            ...message(['Cut']),
            {
              type: 'response.incomplete',
              response: {
                ...RESPONSE,
                status: 'incomplete',
                incomplete_details: { reason: 'max_output_tokens' },
                usage: USAGE,
              },
            },
          ]),
        },
      ];
    case 'rate_limited':
      return [{ mode: 'usage-limit', planType: 'plus', resetsInSeconds: 120 }];
    case 'server_error_then_ok':
      return [{ status: 500, json: { detail: 'Internal Server Error' } }, { sse: textTurn }];
    case 'overloaded':
      return [{ mode: 'overloaded-first' }];
    case 'stream_error':
      return [
        {
          sse: codexSseFrames([
            created,
            ...message([CONTRACT.partial]),
            {
              type: 'error',
              error: { type: 'server_error', code: 'server_error', message: 'The server had an error' },
            },
          ]),
        },
      ];
    case 'unknown_event':
      return [
        {
          sse: codexSseFrames([
            created,
            ...message(CONTRACT.text.slice(0, 1)),
            { type: 'response.future_thing.delta', delta: 'x' },
            ...message(CONTRACT.text.slice(1)).slice(1),
            completed,
          ]),
        },
      ];
    case 'abort':
      return [{ sse: textTurn, pacing: { frameIntervalMs: 30 } }];
  }
}

function assertRequests(fake: FakeCodex, scenario: ContractScenario, bodies: readonly unknown[]): void {
  const headers = sentHeaders(fake.responses()[0]);
  expect(headers).toMatchObject({
    authorization: 'Bearer tok_contract',
    'chatgpt-account-id': 'acct_contract',
    originator: 'codex_cli_rs',
    accept: 'text/event-stream',
  });
  const user = { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Say hello' }] };
  const common = {
    model: 'gpt-5.5',
    instructions: 'Be brief.',
    store: false,
    stream: true,
    include: ['reasoning.encrypted_content'],
  };
  const tool = (i: number) => ({
    type: 'function',
    name: ['get_weather', 'get_time'][i],
    description: ['Weather for a city', 'Time in a zone'][i],
    parameters: expect.any(Object),
    strict: false,
  });
  switch (scenario) {
    case 'tool_call':
      expect(bodies[0]).toEqual({
        ...common,
        input: [user],
        tools: [tool(0)],
        tool_choice: 'auto',
        reasoning: { effort: 'medium', summary: 'auto' },
      });
      return;
    case 'parallel_tool_calls':
      expect(bodies[0]).toMatchObject({ ...common, tools: [tool(0), tool(1)], parallel_tool_calls: true });
      return;
    case 'reasoning_round_trip':
      expect(bodies[0]).toMatchObject({ reasoning: { effort: 'high', summary: 'auto' } });
      expect((bodies[1] as { input: unknown[] }).input).toEqual([
        user,
        {
          type: 'reasoning',
          summary: [{ type: 'summary_text', text: CONTRACT.reasoning.text }],
          encrypted_content: CONTRACT.reasoning.opaque,
        },
        { type: 'function_call', call_id: 'call_r', name: 'get_weather', arguments: '{"city":"Paris"}' },
        { type: 'function_call_output', call_id: 'call_r', output: '{"temp":21}' },
      ]);
      return;
    default:
      expect(bodies[0]).toEqual({
        ...common,
        input: [user],
        reasoning: { effort: 'medium', summary: 'auto' },
      });
  }
}

runProviderContract({
  name: 'codex',
  model: 'gpt-5.5',
  async start(): Promise<ContractFixture> {
    const fake = await startFakeCodex();
    const provider = new CodexProvider({
      baseUrl: fake.baseUrl,
      tokenSource: new StaticTokenSource({ accessToken: 'tok_contract', accountId: 'acct_contract' }),
      retryPolicy: { maxRetries: 2, initialDelayMs: 10, maxDelayMs: 20, maxRetryAfterMs: 60_000 },
    });
    return {
      provider,
      prepare: (scenario) => fake.enqueue(...replies(scenario)),
      upstreamBodies: () => fake.responses().map((r) => r.json),
      assertRequests: (scenario, bodies) => assertRequests(fake, scenario, bodies),
      close: () => fake.close(),
    };
  },
});
